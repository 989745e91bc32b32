"""Storing one inbound message: deduplicated by Message-ID, matched, bounces and unsubscribes applied.

The sync (mailer/) parses mail into an `InboundMessage` and calls `save` inside a
write transaction; everything here is plain data and SQL, so it is testable
without a server.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from store import bounce_reports, bounces, own_mail, reply_marks, threads, unsubscribes
from store.attachment_mail import IncomingPart
from store.database import Database
from store.rowids import inserted_id
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
    recipients: list[str] = field(default_factory=list)  # To and Cc
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    sent_at: str | None = None
    flags: list[str] = field(default_factory=list)
    bounce: Bounce | None = None
    raw: bytes | None = None
    unsubscribe: bool = False  # the subject asks to unsubscribe
    unsubscribe_token: str | None = None
    attachments: list[IncomingPart] = field(default_factory=list)


@dataclass(frozen=True)
class Saved:
    """The outcome of `save`: the row (None for a duplicate) and how it was matched.

    `kind` is reply, auto-reply, bounce, unsubscribe, or own (a copy of mail we sent).
    """

    row_id: int | None
    match: Match
    bounced_influencer: int | None = None
    kind: str = "reply"
    unverified: bool = False  # a delivery report that refers to no mail of ours
    skipped: bool = False  # a copy of our mail not kept: to nobody we know, or automatic (store.own_mail)

    @property
    def unsubscribe(self) -> bool:
        """An unsubscribe request we could pin on an influencer."""
        return self.kind == "unsubscribe" and self.match.influencer_id is not None

    @property
    def outgoing(self) -> bool:
        return self.kind == "own"

    @property
    def duplicate(self) -> bool:
        return self.row_id is None and not self.skipped


def _match(db: Database, mail: InboundMessage) -> Match:
    senders = [address for address in (mail.from_addr, mail.reply_to) if address]
    return threads.match(db, in_reply_to=mail.in_reply_to, references=mail.references, senders=senders)


def _addressed_to(db: Database, mail: InboundMessage, unsubscribe_to: str | None) -> bool:
    if not unsubscribe_to or not mail.to_addr or mail.to_addr.casefold() != unsubscribe_to.casefold():
        return False
    # Whether we send from it: then mail to it is a reply, whatever the config says.
    return not threads.is_ours(db, unsubscribe_to)


def _unsubscribe_match(db: Database, mail: InboundMessage, unsubscribe_to: str | None) -> Match | None:
    """Who an unsubscribe request comes from, or None when `mail` is not one.

    Mail to the unsubscribe address always is one; a subject saying "unsubscribe" is one
    only when it names, answers or comes from someone we know (a stranger's is kept aside).
    """
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


def _insert(db: Database, mail: InboundMessage, found: Match, kind: str, now: str,
            *, outgoing: bool = False) -> int | None:
    """Store `mail` unless its Message-ID is known; a copy of our own mail is stored as sent."""
    refs = " ".join(mail.references[-threads.MAX_REFERENCES:]) or None
    at = _created_at(mail, now)
    direction, status, sent_at = ("out", "sent", at) if outgoing else ("in", None, None)
    # An unsubscribe we acted on needs nothing more from the operator: it arrives read.
    is_read = outgoing or (kind == "unsubscribe" and found.influencer_id is not None)
    cursor = db.conn.execute(
        """INSERT INTO messages (influencer_id, campaign_id, direction, kind, from_addr, from_name, to_addr,
               subject, body, body_html, message_id, in_reply_to, refs, is_read, status, flags,
               sent_at, received_at, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (message_id) DO NOTHING""",
        (found.influencer_id, found.campaign_id, direction, kind, mail.from_addr, mail.from_name,
         mail.to_addr, mail.subject, mail.body, mail.body_html, mail.message_id,
         mail.in_reply_to[0] if mail.in_reply_to else None, refs, int(is_read), status,
         json.dumps(sorted(set(mail.flags))), sent_at, now, at, now),
    )
    if cursor.rowcount != 1:
        return None
    row_id = inserted_id(cursor)
    if mail.raw is not None:
        db.conn.execute("INSERT INTO inbound_raw (message_id, raw) VALUES (?, ?)",
                        (row_id, mail.raw[:MAX_RAW_BYTES]))
    return row_id


def _save_own(db: Database, mail: InboundMessage, now: str) -> Saved:
    """A copy of mail we sent (from a mail client): outgoing, to whom it was written, never a reply."""
    found = own_mail.written_to(db, mail)
    if not own_mail.worth_keeping(db, mail, found):
        return Saved(None, found, kind="own", skipped=True)
    return Saved(_insert(db, mail, found, "manual", now, outgoing=True), found, kind="own")


def _save_report(db: Database, mail: InboundMessage, bounce: Bounce, now: str, actor: str) -> Saved:
    """A delivery report: suppresses only when it refers to mail we sent (else kept, unverified)."""
    verdict = bounce_reports.verify(db, bounce, now)
    row_id = _insert(db, mail, verdict.match, "bounce", now)
    if row_id is None:
        return Saved(None, verdict.match, kind="bounce", unverified=not verdict.verified)
    bounce_reports.record(db, row_id, verdict, bounce)
    bounced = verdict.match.influencer_id if verdict.verified and bounce.permanent else None
    if bounced is not None:
        bounces.mark(db, bounced, bounce.reason(), now=now, actor=actor,
                     report_row=row_id, original_message_id=verdict.match.thread_message_id)
    return Saved(row_id, verdict.match, bounced, "bounce", unverified=not verdict.verified)


def save(db: Database, mail: InboundMessage, *, now: str, actor: str,
         unsubscribe_to: str | None = None, own_addresses: tuple[str, ...] = ()) -> Saved:
    """Store `mail` once (a known Message-ID is a duplicate and changes nothing).

    `unsubscribe_to` is the configured unsubscribe address: mail to it is a request.
    Mail from one of our addresses (campaign senders, operators, `own_addresses` from the
    config) is a copy of what we sent: `store.own_mail`.
    """
    if own_mail.is_own(db, mail, own_addresses):  # before the report check: ours is never a bounce
        return _save_own(db, mail, now)
    if mail.bounce is not None:
        return _save_report(db, mail, mail.bounce, now, actor)
    found = _unsubscribe_match(db, mail, unsubscribe_to)
    signal = None if found is not None else reply_marks.first_guess(mail.subject, mail.body, mail.flags)
    kind = "unsubscribe" if signal is None else reply_marks.kind_of(signal)
    found = found or _match(db, mail)
    row_id = _insert(db, mail, found, kind, now)
    if row_id is None:
        return Saved(None, found, kind=kind)
    if signal is not None:
        reply_marks.record_guess(db, row_id, signal)
    if kind == "unsubscribe" and found.influencer_id is not None:
        unsubscribes.mark(db, found.influencer_id, now=now, actor=actor, campaign_id=found.campaign_id,
                          source="mail", message_id=mail.message_id, request_row=row_id)
    return Saved(row_id, found, None, kind)
