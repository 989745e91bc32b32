"""Storing one inbound message: deduplicated by Message-ID, matched, bounces applied.

The sync (mailer/) parses mail into an `InboundMessage` and calls `save` inside a
write transaction; everything here is plain data and SQL, so it is testable
without a server.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlite_utils import Database

from store import bounces, threads
from store.threads import Match

MAX_RAW_BYTES = 1_000_000


@dataclass
class Bounce:
    """What a delivery status notification (RFC 3464) says about one of our messages."""

    recipients: list[str]
    action: str
    status: str
    diagnostic: str
    original_message_id: str | None
    permanent: bool

    def reason(self) -> str:
        words = " ".join(part for part in (self.status, self.diagnostic) if part)
        return (words or self.action or "delivery failed")[:500]


@dataclass
class InboundMessage:
    """A parsed inbound email, as much of it as could be read."""

    message_id: str
    subject: str = ""
    body: str = ""
    body_html: str | None = None
    from_addr: str | None = None
    from_name: str = ""
    reply_to: str | None = None
    to_addr: str | None = None
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    sent_at: str | None = None
    flags: list[str] = field(default_factory=list)
    bounce: Bounce | None = None
    raw: bytes | None = None


@dataclass(frozen=True)
class Saved:
    """The outcome of `save`: the row (None for a duplicate) and how it was matched."""

    row_id: int | None
    match: Match
    bounced_influencer: int | None = None

    @property
    def duplicate(self) -> bool:
        return self.row_id is None


def _match_bounce(db: Database, bounce: Bounce) -> Match:
    if bounce.original_message_id:
        row = db.execute(
            """SELECT influencer_id, campaign_id FROM messages
               WHERE message_id = ? AND influencer_id IS NOT NULL""",
            (bounce.original_message_id,),
        ).fetchone()
        if row:
            return Match(row[0], row[1], "thread", bounce.original_message_id)
    for address in bounce.recipients:
        influencer_id = threads.influencer_by_address(db, address)
        if influencer_id is not None:
            return Match(influencer_id, threads.latest_campaign(db, influencer_id), "address")
    return Match(None, None, "none")


def _match(db: Database, mail: InboundMessage) -> Match:
    if mail.bounce is not None:
        return _match_bounce(db, mail.bounce)
    senders = [address for address in (mail.from_addr, mail.reply_to) if address]
    return threads.match(db, in_reply_to=mail.in_reply_to, references=mail.references, senders=senders)


def _created_at(mail: InboundMessage, now: str) -> str:
    """The Date header places the mail in the timeline, but never in the future."""
    if mail.sent_at and mail.sent_at <= now:
        return mail.sent_at
    return now


def _insert(db: Database, mail: InboundMessage, found: Match, now: str) -> int | None:
    kind = "bounce" if mail.bounce is not None else "reply"
    refs = " ".join(mail.references[-threads.MAX_REFERENCES:]) or None
    cursor = db.conn.execute(
        """INSERT INTO messages (influencer_id, campaign_id, direction, kind, from_addr, from_name, to_addr,
               subject, body, body_html, message_id, in_reply_to, refs, is_read, status, flags,
               received_at, created_at, updated_at)
           VALUES (?, ?, 'in', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, NULL, ?, ?, ?, ?)
           ON CONFLICT (message_id) DO NOTHING""",
        (found.influencer_id, found.campaign_id, kind, mail.from_addr, mail.from_name, mail.to_addr,
         mail.subject, mail.body, mail.body_html, mail.message_id,
         mail.in_reply_to[0] if mail.in_reply_to else None, refs,
         json.dumps(sorted(set(mail.flags))), now, _created_at(mail, now), now),
    )
    return int(cursor.lastrowid) if cursor.rowcount == 1 else None


def save(db: Database, mail: InboundMessage, *, now: str, actor: str) -> Saved:
    """Store `mail` once (a known Message-ID is a duplicate and changes nothing)."""
    found = _match(db, mail)
    row_id = _insert(db, mail, found, now)
    if row_id is None:
        return Saved(None, found)
    if mail.raw is not None:
        db.conn.execute("INSERT INTO inbound_raw (message_id, raw) VALUES (?, ?)",
                        (row_id, mail.raw[:MAX_RAW_BYTES]))
    bounced = None
    if mail.bounce is not None and mail.bounce.permanent and found.influencer_id is not None:
        bounces.mark(db, found.influencer_id, mail.bounce.reason(), now=now, actor=actor,
                     report_row=row_id, original_message_id=found.thread_message_id)
        bounced = found.influencer_id
    return Saved(row_id, found, bounced)
