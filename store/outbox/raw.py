"""Prebuilt message bytes: built once ahead of sending, dropped the moment their source changes.

The trigger of the `dispatch_outbox` migration deletes a message's bytes whenever a
column they were built from changes, and `save_raw` stores bytes only if the row still
holds the values they were built from, so the bytes present for a row are always its
own; their `fingerprint` names the build settings (mailer/smtp/mime.py `build_key`), and
bytes built under other settings are rebuilt. `purge_raw` drops the bytes of finished
messages.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from store import attachment_mail
from store.database import Database
from store.outbox.claims import CLAIMED_COLUMNS

# What the bytes are built from: the columns the `outbox_raw_stale` trigger watches.
SOURCE_COLUMNS = ("from_addr", "from_name", "to_addr", "subject", "body", "body_html", "message_id",
                  "in_reply_to", "refs", "scheduled_at", "created_at")
_UNCHANGED = " AND ".join(f"{column} IS :{column}" for column in SOURCE_COLUMNS)

_WITHOUT_RAW = f"""
    SELECT {CLAIMED_COLUMNS.replace("lease_token", "NULL AS lease_token")}
    FROM messages m INDEXED BY messages_claimable
    WHERE m.status IN ('queued', 'deferred') AND m.next_attempt_at <= :before
      AND NOT EXISTS (SELECT 1 FROM outbox_raw r WHERE r.message_id = m.id)
    ORDER BY m.next_attempt_at, m.id
    LIMIT :limit"""


def rows_without_raw(db: Database, *, before: str, limit: int) -> list[dict]:
    """Queued or deferred rows due before `before` that have no prebuilt bytes yet, with their files."""
    rows = list(db.query(_WITHOUT_RAW, {"before": before, "limit": limit}))
    attachment_mail.add_parts(db, rows)  # their files are in the bytes, read from the store here
    return rows


def save_raw(db: Database, built: Iterable[tuple[Mapping, str, bytes]]) -> int:
    """Store (row as read, fingerprint, bytes) for rows still waiting to be sent and unchanged
    since they were read (an edit in between would leave stale bytes behind, since the
    trigger had nothing to delete yet); call in a write transaction."""
    saved = 0
    for row, fingerprint, raw in built:
        source = {column: row[column] for column in SOURCE_COLUMNS}
        saved += db.conn.execute(
            f"""INSERT OR REPLACE INTO outbox_raw (message_id, fingerprint, raw)
                SELECT id, :fingerprint, :raw FROM messages
                WHERE id = :id AND status IN ('queued', 'deferred') AND {_UNCHANGED}""",
            {**source, "fingerprint": fingerprint, "raw": raw, "id": row["id"]}).rowcount
    return saved


def purge_raw(db: Database, limit: int = 5000) -> int:
    """Drop the bytes of messages that are finished (sent, failed, skipped); call in a write transaction.

    Done in bulk after a run rather than row by row on the send path, where each delete
    would cost a page write of its own.
    """
    return db.conn.execute(
        """DELETE FROM outbox_raw WHERE message_id IN (
               SELECT r.message_id FROM outbox_raw r JOIN messages m ON m.id = r.message_id
               WHERE m.status NOT IN ('queued', 'deferred', 'sending', 'planned') LIMIT ?)""",
        [limit]).rowcount
