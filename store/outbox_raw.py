"""Prebuilt message bytes: built once ahead of sending, checked against a fingerprint when used.

The fingerprint covers everything the bytes were built from, so stale bytes (an edit
after they were built) are never sent; the trigger of the `dispatch_outbox` migration
only reclaims their space early, and `purge_raw` drops the bytes of finished messages.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlite_utils import Database

from store.outbox_claims import CLAIMED_COLUMNS

_WITHOUT_RAW = f"""
    SELECT {CLAIMED_COLUMNS.replace("lease_token", "NULL AS lease_token")}
    FROM messages m INDEXED BY messages_claimable
    WHERE m.status IN ('queued', 'deferred') AND m.next_attempt_at <= :before
      AND NOT EXISTS (SELECT 1 FROM outbox_raw r WHERE r.message_id = m.id)
    ORDER BY m.next_attempt_at, m.id
    LIMIT :limit"""


def rows_without_raw(db: Database, *, before: str, limit: int) -> list[dict]:
    """Queued or deferred rows due before `before` that have no prebuilt bytes yet."""
    return list(db.query(_WITHOUT_RAW, {"before": before, "limit": limit}))


def save_raw(db: Database, built: Iterable[tuple[int, str, bytes]]) -> int:
    """Store (row id, fingerprint, bytes) for rows still waiting to be sent; call in a write transaction."""
    saved = 0
    for message_id, fingerprint, raw in built:
        saved += db.conn.execute(
            """INSERT OR REPLACE INTO outbox_raw (message_id, fingerprint, raw)
               SELECT id, ?, ? FROM messages WHERE id = ? AND status IN ('queued', 'deferred')""",
            [fingerprint, raw, message_id]).rowcount
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
