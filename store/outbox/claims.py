"""Claiming due outbox rows with a lease, and taking back the leases of dead dispatchers.

Every claim is one `UPDATE … RETURNING` inside `BEGIN IMMEDIATE`, so two dispatchers on
one file never claim the same row. A lease carries an owner (host, PID and the PID's
start time, so a dead owner is recognised on this host whatever the clock says) and a
token that every completion must present (see store/outbox/results.py).
"""

from __future__ import annotations

import json
import os
import socket
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from store import audit
from store.clock import iso
from store.database import Database
from store.outbox.sent_log import fold_owners

OWNER_PREFIX = "callsheet"

CLAIMED_COLUMNS = """id, influencer_id, campaign_id, kind, from_addr, from_name, to_addr, subject, body,
    body_html, message_id, in_reply_to, refs, flags, attempts, scheduled_at, created_at, lease_token"""
# What sending and judging a claimed row needs; the text columns are read only for rows
# whose bytes must be built now (see `add_sources`).
LEASED_COLUMNS = """id, influencer_id, campaign_id, from_addr, to_addr, flags, attempts, scheduled_at,
    created_at, lease_token"""

_CANDIDATES = """
    SELECT m.id,
           (SELECT CASE WHEN i.unsubscribed THEN 'unsubscribed' WHEN i.bounced THEN 'bounced' END
              FROM influencers i WHERE i.id = m.influencer_id) AS suppressed
    FROM messages m INDEXED BY messages_claimable
    WHERE m.status IN ('queued', 'deferred') AND m.next_attempt_at <= :now
      AND NOT EXISTS (SELECT 1 FROM campaigns c WHERE c.id = m.campaign_id AND c.status = 'paused')
    ORDER BY m.next_attempt_at, m.id
    LIMIT :limit"""

_SKIP = """
    UPDATE messages SET status = 'skipped', last_smtp_response = :reason, updated_at = :now,
        flags = (SELECT json_group_array(value) FROM
                 (SELECT value FROM json_each(flags) UNION SELECT :flag ORDER BY 1))
    WHERE id = :id AND status IN ('queued', 'deferred')"""

_CLAIM = f"""
    UPDATE messages SET status = 'sending', lease_owner = :owner, lease_token = :token,
        lease_expires_at = :expires, attempts = attempts + 1, updated_at = :now
    WHERE id IN (SELECT value FROM json_each(:ids))
    RETURNING {LEASED_COLUMNS}"""

SKIP_REASONS = {
    "unsubscribed": "Not sent: the influencer unsubscribed.",
    "bounced": "Not sent: the influencer's address bounced.",
}


@dataclass
class Claim:
    """What one claim took: rows to send (with prebuilt bytes when any) and rows skipped."""

    rows: list[dict] = field(default_factory=list)
    skipped: int = 0


def process_start_time(pid: int) -> str | None:
    """The kernel's start time of `pid` (clock ticks since boot), to tell a reused PID apart."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rpartition(")")[2].split()
    if fields and fields[0] == "Z":
        return None
    return fields[19] if len(fields) > 19 else None


def new_owner() -> str:
    """A lease owner name for this process: prefix:host:pid:start:nonce."""
    pid = os.getpid()
    start = process_start_time(pid) or "0"
    return f"{OWNER_PREFIX}:{socket.gethostname()}:{pid}:{start}:{uuid.uuid4().hex[:8]}"


def owner_is_dead(owner: str | None) -> bool:
    """True only when `owner` is a dispatcher process on this host that no longer runs."""
    parts = (owner or "").split(":")
    if len(parts) != 5 or parts[0] != OWNER_PREFIX or parts[1] != socket.gethostname():
        return False
    try:
        pid = int(parts[2])
    except ValueError:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        pass
    started = process_start_time(pid)
    if parts[3] == "0":
        return False
    # A zombie has no start time here; a live process with another start time reused the PID.
    return started != parts[3]


def reclaim_dead(db: Database, *, now: str, actor: str) -> int:
    """Put back the rows leased by dispatchers that died on this host; call in a write transaction."""
    owners = [row[0] for row in db.execute(
        "SELECT DISTINCT lease_owner FROM messages WHERE status = 'sending'").fetchall()]
    taken = 0
    for owner in owners:
        if owner_is_dead(owner):
            taken += _put_back(db, "lease_owner = ?", [owner], now, actor, "dead", owner)
    return taken


def reclaim_expired(db: Database, *, now: str, actor: str) -> int:
    """Put back the rows whose lease ran out; call in a write transaction."""
    return _put_back(db, "lease_expires_at <= ?", [now], now, actor, "expired", None)


def _put_back(db: Database, condition: str, params: list, now: str, actor: str, why: str,
              owner: str | None) -> int:
    owners = [row[0] for row in db.execute(
        f"SELECT DISTINCT lease_owner FROM messages WHERE status = 'sending' AND {condition}", params)]
    if not owners:
        return 0
    # A lease whose send is in its owner's sent log was used: record it before taking leases back.
    fold_owners(db, owners)
    ids = [row[0] for row in db.execute(
        f"""UPDATE messages SET status = 'deferred', next_attempt_at = ?, lease_owner = NULL,
               lease_token = NULL, lease_expires_at = NULL, updated_at = ?
            WHERE status = 'sending' AND {condition} RETURNING id""",
        [now, now, *params]).fetchall()]
    if ids:
        audit.record(db, at=now, actor=actor, action="outbox.reclaim", entity="message",
                     why=why, owner=owner, ids=sorted(ids))
    return len(ids)


def claim_batch(db: Database, *, owner: str, now: datetime, lease: timedelta, limit: int) -> Claim:
    """Skip suppressed due rows and lease up to `limit` others; call in a write transaction."""
    now_text = iso(now)
    candidates = db.execute(_CANDIDATES, {"now": now_text, "limit": limit}).fetchall()
    claim = Claim()
    for message_id, suppressed in candidates:
        if suppressed:
            db.conn.execute(_SKIP, {"id": message_id, "now": now_text, "flag": suppressed,
                                    "reason": SKIP_REASONS[suppressed]})
            claim.skipped += 1
    wanted = [message_id for message_id, suppressed in candidates if not suppressed]
    if not wanted:
        return claim
    cursor = db.conn.execute(_CLAIM, {
        "owner": owner, "token": uuid.uuid4().hex, "expires": iso(now + lease), "now": now_text,
        "ids": json.dumps(wanted)})
    names = [column[0] for column in cursor.description]
    order = {message_id: position for position, message_id in enumerate(wanted)}
    claim.rows = sorted((dict(zip(names, row, strict=True)) for row in cursor.fetchall()),
                        key=lambda row: order[row["id"]])
    _attach_raw(db, claim.rows)
    return claim


def add_sources(db: Database, rows: list[dict]) -> None:
    """Add every column the bytes are built from to claimed `rows` (whose bytes must be built); their
    files are added after the claim's transaction (store/attachment_mail.py `add_parts`)."""
    by_id = {row["id"]: row for row in rows}
    cursor = db.execute(f"SELECT {CLAIMED_COLUMNS} FROM messages "
                        "WHERE id IN (SELECT value FROM json_each(?))", [json.dumps(list(by_id))])
    names = [column[0] for column in cursor.description]
    for values in cursor.fetchall():
        source = dict(zip(names, values, strict=True))
        by_id[source["id"]].update({key: value for key, value in source.items() if key != "lease_token"})


def _attach_raw(db: Database, rows: list[dict]) -> None:
    by_id = {row["id"]: row for row in rows}
    for message_id, fingerprint, raw in db.execute(
        "SELECT message_id, fingerprint, raw FROM outbox_raw WHERE message_id IN "
        "(SELECT value FROM json_each(?))", [json.dumps(list(by_id))]
    ).fetchall():
        by_id[message_id]["raw"] = (fingerprint, raw)


def still_leased(db: Database, leases: list[tuple[int, str]]) -> set[int]:
    """Which of these (row id, lease token) pairs are still `sending` under that token."""
    if len(leases) <= 4:
        # The usual case, a result or two: one indexed lookup each is half the cost of the JSON.
        return {lease[0] for lease in leases if db.execute(
            "SELECT 1 FROM messages WHERE id = ? AND lease_token = ? AND status = 'sending'",
            lease).fetchone()}
    # CROSS JOIN fixes the order: each pair looked up by id, not every `sending` row probed.
    return {row[0] for row in db.execute(
        """SELECT m.id FROM json_each(?) AS l CROSS JOIN messages m ON m.id = l.value ->> 0
           WHERE m.lease_token = l.value ->> 1 AND m.status = 'sending'""",
        [json.dumps(leases)]).fetchall()}


def renew_leases(db: Database, *, owner: str, expires: str) -> int:
    """Extend every lease this owner still holds; call in a write transaction."""
    return db.conn.execute(
        "UPDATE messages SET lease_expires_at = ? WHERE status = 'sending' AND lease_owner = ?",
        [expires, owner]).rowcount


def next_due_at(db: Database) -> str | None:
    """When the next queued or deferred row falls due (paused campaigns aside)."""
    row = db.execute(
        """SELECT min(m.next_attempt_at) FROM messages m INDEXED BY messages_claimable
           WHERE m.status IN ('queued', 'deferred') AND NOT EXISTS
             (SELECT 1 FROM campaigns c WHERE c.id = m.campaign_id AND c.status = 'paused')"""
    ).fetchone()
    return row[0] if row else None


def due_count(db: Database, now: str) -> int:
    """How many rows are claimable right now."""
    return db.execute(
        """SELECT count(*) FROM messages m INDEXED BY messages_claimable
           WHERE m.status IN ('queued', 'deferred') AND m.next_attempt_at <= ? AND NOT EXISTS
             (SELECT 1 FROM campaigns c WHERE c.id = m.campaign_id AND c.status = 'paused')""",
        [now]).fetchone()[0]
