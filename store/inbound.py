"""Storing one inbound message: deduplicated by Message-ID, matched, bounces and unsubscribes applied.

The sync (mailer/) parses mail into an `InboundMessage` and calls `save` inside a
write transaction; everything here is plain data and SQL, so it is testable
without a server.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlite_utils import Database

from store import bounces, threads, unsubscribes
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
    unsubscribe: bool = False  # the subject asks to unsubscribe
    unsubscribe_token: str | None = None


@dataclass(frozen=True)
class Saved:
    """The outcome of `save`: the row (None for a duplicate) and how it was matched."""

    row_id: int | None
    match: Match
    bounced_influencer: int | None = None
    kind: str = "reply"

    @property
    def unsubscribe(self) -> bool:
        """An unsubscribe request we could pin on an influencer."""
        return self.kind == "unsubscribe" and self.match.influencer_id is not None

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


def _is_sender(db: Database, address: str) -> bool:
    """Whether we send from `address`: then mail to it is a reply, whatever the config says."""
    row = db.execute(
        """SELECT 1 FROM campaigns WHERE sender_email = ? COLLATE NOCASE
           UNION ALL SELECT 1 FROM operators WHERE from_address = ? COLLATE NOCASE LIMIT 1""",
        (address, address),
    ).fetchone()
    return row is not None


def _addressed_to(db: Database, mail: InboundMessage, unsubscribe_to: str | None) -> bool:
    if not unsubscribe_to or not mail.to_addr or mail.to_addr.casefold() != unsubscribe_to.casefold():
        return False
    return not _is_sender(db, unsubscribe_to)


def _unsubscribe_match(db: Database, mail: InboundMessage, unsubscribe_to: str | None) -> Match | None:
    """Who an unsubscribe request comes from, or None when `mail` is not one.

    Mail to the unsubscribe address always is one; a subject saying "unsubscribe" is one
    only when it names, answers or comes from someone we know (a stranger's is kept aside).
    """
    if mail.bounce is not None:
        return None
    addressed = _addressed_to(db, mail, unsubscribe_to)
    if not (addressed or mail.unsubscribe):
        return None
    named = unsubscribes.message_by_token(db, mail.unsubscribe_token)
    if named is not None:
        return Match(named["influencer_id"], named["campaign_id"], "token", named["message_id"])
    found = _match(db, mail)
    if found.influencer_id is None and not addressed:
        return None
    return found


def _created_at(mail: InboundMessage, now: str) -> str:
    """The Date header places the mail in the timeline, but never in the future."""
    if mail.sent_at and mail.sent_at <= now:
        return mail.sent_at
    return now


def _insert(db: Database, mail: InboundMessage, found: Match, kind: str, now: str) -> int | None:
    refs = " ".join(mail.references[-threads.MAX_REFERENCES:]) or None
    cursor = db.conn.execute(
        """INSERT INTO messages (influencer_id, campaign_id, direction, kind, from_addr, from_name, to_addr,
               subject, body, body_html, message_id, in_reply_to, refs, is_read, status, flags,
               received_at, created_at, updated_at)
           VALUES (?, ?, 'in', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?)
           ON CONFLICT (message_id) DO NOTHING""",
        (found.influencer_id, found.campaign_id, kind, mail.from_addr, mail.from_name, mail.to_addr,
         mail.subject, mail.body, mail.body_html, mail.message_id,
         mail.in_reply_to[0] if mail.in_reply_to else None, refs,
         # An unsubscribe we acted on needs nothing more from the operator: it arrives read.
         int(kind == "unsubscribe" and found.influencer_id is not None),
         json.dumps(sorted(set(mail.flags))), now, _created_at(mail, now), now),
    )
    return int(cursor.lastrowid) if cursor.rowcount == 1 else None


def save(db: Database, mail: InboundMessage, *, now: str, actor: str,
         unsubscribe_to: str | None = None) -> Saved:
    """Store `mail` once (a known Message-ID is a duplicate and changes nothing).

    `unsubscribe_to` is the configured unsubscribe address: mail to it is a request.
    """
    found = _unsubscribe_match(db, mail, unsubscribe_to)
    kind = "unsubscribe" if found is not None else "bounce" if mail.bounce is not None else "reply"
    found = found or _match(db, mail)
    row_id = _insert(db, mail, found, kind, now)
    if row_id is None:
        return Saved(None, found, kind=kind)
    if mail.raw is not None:
        db.conn.execute("INSERT INTO inbound_raw (message_id, raw) VALUES (?, ?)",
                        (row_id, mail.raw[:MAX_RAW_BYTES]))
    bounced = None
    if mail.bounce is not None and mail.bounce.permanent and found.influencer_id is not None:
        bounces.mark(db, found.influencer_id, mail.bounce.reason(), now=now, actor=actor,
                     report_row=row_id, original_message_id=found.thread_message_id)
        bounced = found.influencer_id
    if kind == "unsubscribe" and found.influencer_id is not None:
        unsubscribes.mark(db, found.influencer_id, now=now, actor=actor, campaign_id=found.campaign_id,
                          source="mail", message_id=mail.message_id, request_row=row_id)
    return Saved(row_id, found, bounced, kind)
