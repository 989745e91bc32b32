"""Attachments as mail carries them: the files of outgoing rows read for their bytes, and the parts
of received mail linked once the message is stored (their bytes put in the store by the sync)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from store import attachment_files
from store.attachments import link, record
from store.database import Database
from store.errors import UserError


@dataclass(frozen=True)
class Part:
    """An attachment's name, type and bytes, as an outgoing message's MIME part is built from them."""

    filename: str
    content_type: str
    data: bytes


def add_parts(db: Database, rows: list[dict]) -> None:
    """Set `attachments` (a list of Part, in order) on each outgoing row that has files; each stored
    file is read once however many of the rows carry it (a bulk mail's brochure)."""
    by_id = {row["id"]: row for row in rows}
    if not by_id:
        return
    read: dict[str, bytes] = {}
    for message_row, filename, content_type, sha256 in db.execute(
        """SELECT l.message_id, l.filename, a.content_type, a.sha256
           FROM message_attachments l JOIN attachments a ON a.id = l.attachment_id
           WHERE l.message_id IN (SELECT value FROM json_each(?)) ORDER BY l.message_id, l.position""",
        [json.dumps(list(by_id))]):
        row = by_id[message_row]
        try:
            if sha256 not in read:
                read[sha256] = attachment_files.get(attachment_files.folder(db), sha256)
        except UserError as error:
            row["attachment_error"] = error.sentence  # the message is refused with it, never sent without
            continue
        row.setdefault("attachments", []).append(Part(filename, content_type, read[sha256]))


@dataclass
class IncomingPart:
    """An attachment part of received mail: its name and size, then its stored digest and type,
    or why it was not kept. `decode` gives its bytes until they are stored (then None)."""

    filename: str
    size: int
    decode: Callable[[], bytes] | None = field(default=None, repr=False)
    sha256: str | None = None
    content_type: str | None = None
    skipped: str | None = None


def keep_incoming(db: Database, message_row: int | None, parts: Iterable[IncomingPart], *, now: str) -> None:
    """Link a stored message to its parts (their bytes already in the store, or skipped); call in
    the write transaction that stored the message (None: a duplicate, nothing to link)."""
    if message_row is None:
        return
    for part in parts:
        attachment_id = None
        if part.sha256 is not None and part.skipped is None:
            content_type = part.content_type or attachment_files.OCTET_STREAM
            attachment_id = record(db, part.sha256, part.size, content_type, now)
        link(db, message_row, attachment_id, part.filename, part.size, part.skipped)
