"""Attachments of messages and templates: each file stored once, linked under the name it was given.

`attachments` holds one row per distinct content (its SHA-256, size and sniffed type; the bytes
are in store/attachment_files.py). `message_attachments` links a message to its files in order,
under a sanitised name; an incoming part that was too large is linked with no file and the
reason in `skipped`. `template_attachments` names the files a template adds: a trigger links
them to every message queued from that template (same campaign, kind and language).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from store import attachment_files
from store.database import Database
from store.errors import NotFound
from store.rowids import inserted_id

MAX_NAME_CHARS = 120
TOO_LARGE = "too large"
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f/\\\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]+")

MIGRATION = [
    """CREATE TABLE attachments (
        id INTEGER PRIMARY KEY,
        sha256 TEXT NOT NULL UNIQUE,
        size INTEGER NOT NULL,
        content_type TEXT NOT NULL,
        created_at TEXT NOT NULL
    )""",
    """CREATE TABLE message_attachments (
        id INTEGER PRIMARY KEY,
        message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
        attachment_id INTEGER REFERENCES attachments(id),
        position INTEGER NOT NULL,
        filename TEXT NOT NULL,
        size INTEGER NOT NULL,
        skipped TEXT,
        UNIQUE (message_id, position)
    )""",
    "CREATE INDEX message_attachments_file ON message_attachments(attachment_id)",
    """CREATE TABLE template_attachments (
        template_id INTEGER NOT NULL REFERENCES templates(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        attachment_id INTEGER NOT NULL REFERENCES attachments(id),
        filename TEXT NOT NULL,
        PRIMARY KEY (template_id, position)
    )""",
    # Whatever path queues mail from a template (triggers, the planner, the sequence), its
    # files come along without each path knowing about them.
    """CREATE TRIGGER messages_template_attachments AFTER INSERT ON messages
        WHEN new.direction = 'out' AND new.campaign_id IS NOT NULL AND new.language IS NOT NULL
        BEGIN
            INSERT INTO message_attachments (message_id, attachment_id, position, filename, size)
            SELECT new.id, ta.attachment_id, ta.position, ta.filename, a.size
            FROM templates t JOIN template_attachments ta ON ta.template_id = t.id
                 JOIN attachments a ON a.id = ta.attachment_id
            WHERE t.campaign_id = new.campaign_id AND t.kind = new.kind AND t.language = new.language;
        END""",
]


@dataclass(frozen=True)
class Linked:
    """One attachment of one message, as the timeline lists it; `id` is what `attachment save` takes."""

    id: int
    message_id: int
    filename: str
    size: int
    content_type: str | None
    sha256: str | None
    skipped: str | None = None

    def label(self) -> str:
        state = f", skipped: {self.skipped}" if self.skipped else ""
        return f"{self.filename} ({human_size(self.size)}{state}) #{self.id}"


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def safe_name(name: str | None, fallback: str = "attachment") -> str:
    """A file name that is only a name: no folders, control or direction characters, no leading
    dot (no hidden files, no `..`), at most MAX_NAME_CHARS characters with its extension kept."""
    text = re.split(r"[/\\]", unicodedata.normalize("NFC", name or ""))[-1]  # the name, not its folders
    text = _UNSAFE.sub("_", text).strip().lstrip(".").strip()
    if not text or set(text) <= {"_", " "}:
        text = fallback
    if len(text) > MAX_NAME_CHARS:
        stem, dot, extension = text.rpartition(".")
        keep = f".{extension}" if dot and stem and len(extension) <= 10 else ""
        text = text[: MAX_NAME_CHARS - len(keep)].rstrip() + keep
    return text


def store_bytes(db: Database, data: bytes, *, now: str) -> int:
    """The id of the `attachments` row for these bytes, stored on disk and in the table once."""
    sha256 = attachment_files.put(attachment_files.folder(db), data)
    return record(db, sha256, len(data), attachment_files.sniff(data), now)


def record(db: Database, sha256: str, size: int, content_type: str, now: str) -> int:
    db.conn.execute(
        """INSERT INTO attachments (sha256, size, content_type, created_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (sha256) DO NOTHING""", (sha256, size, content_type, now))
    return int(db.conn.execute("SELECT id FROM attachments WHERE sha256 = ?", [sha256]).fetchone()[0])


def _next_position(db: Database, message_row: int) -> int:
    row = db.conn.execute("SELECT coalesce(max(position) + 1, 0) FROM message_attachments "
                          "WHERE message_id = ?", [message_row]).fetchone()
    return int(row[0])


def link(db: Database, message_row: int, attachment_id: int | None, filename: str, size: int,
         skipped: str | None = None) -> int:
    """Link a file (or, with `skipped`, only the name and size of a part not kept) to a message."""
    cursor = db.conn.execute(
        """INSERT INTO message_attachments (message_id, attachment_id, position, filename, size, skipped)
           VALUES (?, ?, ?, ?, ?, ?)""",
        (message_row, attachment_id, _next_position(db, message_row), safe_name(filename), size, skipped))
    return inserted_id(cursor)


def set_template_files(db: Database, template_id: int, files: Iterable[FileRef]) -> None:
    """Replace the files a template adds to its messages."""
    db.conn.execute("DELETE FROM template_attachments WHERE template_id = ?", [template_id])
    db.conn.executemany(
        """INSERT INTO template_attachments (template_id, position, attachment_id, filename)
           VALUES (?, ?, ?, ?)""",
        [(template_id, position, file.attachment_id, safe_name(file.filename))
         for position, file in enumerate(files)])


_LINKED = """SELECT l.id, l.message_id, l.filename, l.size, a.content_type, a.sha256, l.skipped
             FROM message_attachments l LEFT JOIN attachments a ON a.id = l.attachment_id"""


def for_messages(db: Database, message_rows: Iterable[int]) -> dict[int, list[Linked]]:
    """Each message's attachments in order, for the messages that have any."""
    found: dict[int, list[Linked]] = {}
    for row in db.execute(f"{_LINKED} WHERE l.message_id IN (SELECT value FROM json_each(?)) "
                          "ORDER BY l.message_id, l.position", [json.dumps(list(message_rows))]):
        found.setdefault(row[1], []).append(Linked(*row))
    return found


def get(db: Database, linked_id: int) -> Linked:
    row = db.execute(f"{_LINKED} WHERE l.id = ?", [linked_id]).fetchone()
    if row is None:
        raise NotFound(f"There is no attachment #{linked_id}.")
    return Linked(*row)


def content(db: Database, linked: Linked) -> bytes:
    """The bytes of a kept attachment (checked against their digest)."""
    if linked.sha256 is None:
        raise NotFound(f"Attachment #{linked.id} ({linked.filename}) was not kept: {linked.skipped}.")
    return attachment_files.get(attachment_files.folder(db), linked.sha256)


@dataclass(frozen=True)
class FileRef:
    """A stored file as a message or template carries it: which bytes, under which name."""

    attachment_id: int
    filename: str
    size: int


def link_files(db: Database, message_row: int, files: Iterable[FileRef]) -> None:
    for file in files:
        link(db, message_row, file.attachment_id, file.filename, file.size)


def template_files(db: Database, template_id: int) -> list[FileRef]:
    return [FileRef(*row) for row in db.execute(
        """SELECT ta.attachment_id, ta.filename, a.size FROM template_attachments ta
           JOIN attachments a ON a.id = ta.attachment_id WHERE ta.template_id = ? ORDER BY ta.position""",
        [template_id])]




def latest_with_files(db: Database, influencer_id: int, campaign_id: int | None = None) -> int | None:
    """The newest message of a conversation (or its part in one campaign) that has attachments."""
    scope = "AND m.campaign_id = :campaign" if campaign_id else ""
    row = db.execute(
        f"""SELECT m.id FROM messages m WHERE m.influencer_id = :influencer {scope}
              AND EXISTS (SELECT 1 FROM message_attachments l WHERE l.message_id = m.id)
            ORDER BY m.created_at DESC, m.id DESC LIMIT 1""",
        {"influencer": influencer_id, "campaign": campaign_id}).fetchone()
    return int(row[0]) if row else None
