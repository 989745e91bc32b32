"""Replies and new messages to one influencer, threaded and queued through the outbox."""

from __future__ import annotations

import re
from dataclasses import dataclass

from store import attachments, campaigns, influencers, operators
from store.addresses import address_problem, normalise_address
from store.attachments import FileRef
from store.database import Database
from store.errors import UserError
from store.header_text import check_header_text
from store.outbox.queueing import enqueue, one_line
from store.threads import MAX_REFERENCES, message_ids

_REPLY_PREFIX = re.compile(r"^\s*(re|aw|sv|antw)\s*(\[\d+\])?\s*:", re.I)
MAX_BODY_CHARS = 100_000


@dataclass
class Draft:
    """An outgoing message before it is queued: what the compose modal previews."""

    influencer_id: int
    to_addr: str
    from_addr: str
    subject: str
    body: str
    campaign_id: int | None = None
    from_name: str = ""
    in_reply_to: str | None = None
    refs: str | None = None
    kind: str = "manual"
    author: str = ""
    attachments: tuple[FileRef, ...] = ()  # files already in the attachment store


def sender(db: Database, campaign_id: int | None, actor: str) -> tuple[str, str]:
    """(from-address, display name): the campaign's sender, else the operator's own address."""
    if campaign_id:
        campaign = campaigns.get_by_id(db, campaign_id)
        if campaign.sender_email:
            return campaign.sender_email, campaign.sender_name
    row = db.execute(
        "SELECT from_address, display_name FROM operators WHERE login = ?", (actor,)
    ).fetchone()
    if row and row[0]:
        return row[0], row[1] or ""
    raise UserError(f"No from-address: give the campaign a --sender or run "
                    f"`callsheet operator add {actor} --role {operators.role_of(db, actor)} --from EMAIL`.")


def recipient(influencer: dict, preferred: str | None = None) -> str:
    """Where mail to them goes: the address they wrote from, else the one on file."""
    for address in (preferred, influencer["email"]):
        if address and address_problem(address) is None:
            return normalise_address(address)
    raise UserError(f"{influencer['handle']} has no valid email address.")


def reply_subject(subject: str) -> str:
    subject = one_line(subject)
    return subject if _REPLY_PREFIX.match(subject) else f"Re: {subject}".strip()


def quote(message: dict) -> str:
    """The replied message quoted below an attribution line, as mail clients do."""
    who = message["from_name"] or message["from_addr"] or "they"
    when = (message["created_at"] or "")[:16].replace("T", " ")
    lines = (message["body"] or "").rstrip().splitlines() or [""]
    return f"On {when}, {who} wrote:\n" + "\n".join(f"> {line}" if line else ">" for line in lines)


def replied_message(db: Database, influencer_id: int, message_row: int | None = None,
                    campaign_id: int | None = None) -> dict:
    """The message a reply answers: the one named, else their latest (received first)."""
    if message_row is not None:
        rows = list(db.query("SELECT * FROM messages WHERE id = ? AND influencer_id = ?",
                             [message_row, influencer_id]))
    else:
        scope = "AND campaign_id = :campaign" if campaign_id else ""
        rows = list(db.query(
            f"""SELECT * FROM messages WHERE influencer_id = :influencer {scope}
                  AND coalesce(status, '') NOT IN ('planned', 'skipped')
                ORDER BY direction = 'in' DESC, created_at DESC, id DESC LIMIT 1""",
            {"influencer": influencer_id, "campaign": campaign_id},
        ))
    if not rows:
        raise UserError("There is no message to reply to; compose a new one instead.")
    return rows[0]


def _check_body(body: str) -> str:
    if not body.strip():
        raise UserError("The message body is empty.")
    if len(body) > MAX_BODY_CHARS:
        raise UserError(f"The message body is limited to {MAX_BODY_CHARS} characters.")
    return body


def reply_draft(db: Database, influencer_id: int, body: str, *, actor: str, message_row: int | None = None,
                with_quote: bool = True, campaign_id: int | None = None, subject: str | None = None) -> Draft:
    """A reply threaded under the message it answers (In-Reply-To and References).

    The subject is `subject` when one is written, else "Re: " and the answered message's.
    """
    influencer = influencers.get(db, influencer_id)
    original = replied_message(db, influencer_id, message_row, campaign_id)
    incoming = original["direction"] == "in"
    from_addr, from_name = sender(db, original["campaign_id"], actor)
    written = one_line(subject or "")
    check_header_text(written or original["subject"],
                      "The subject" if written else "The subject of the message being answered")
    chain = [*message_ids(original["refs"]), *message_ids(original["message_id"])][-MAX_REFERENCES:]
    text = _check_body(body)
    return Draft(
        influencer_id=influencer_id, campaign_id=original["campaign_id"],
        to_addr=recipient(influencer, original["from_addr"] if incoming else original["to_addr"]),
        from_addr=from_addr, from_name=from_name, subject=written or reply_subject(original["subject"]),
        body=f"{text.rstrip()}\n\n{quote(original)}\n" if with_quote else text,
        in_reply_to=original["message_id"], refs=" ".join(dict.fromkeys(chain)) or None, author=actor,
    )


def compose_draft(db: Database, influencer_id: int, subject: str, body: str, *, actor: str,
                  campaign_id: int | None = None, kind: str = "manual") -> Draft:
    """A new message, outside any thread."""
    influencer = influencers.get(db, influencer_id)
    if not one_line(subject):
        raise UserError("The subject is empty.")
    check_header_text(subject, "The subject")
    from_addr, from_name = sender(db, campaign_id, actor)
    return Draft(influencer_id=influencer_id, campaign_id=campaign_id, to_addr=recipient(influencer),
                 from_addr=from_addr, from_name=from_name, subject=one_line(subject),
                 body=_check_body(body), kind=kind, author=actor)


def queue(db: Database, draft: Draft, *, now: str) -> tuple[int, str]:
    """Put a draft in the outbox under its author (suppressed influencers get a `skipped` row)."""
    if not draft.author:
        raise ValueError("a draft is queued only with its author")
    row, status = enqueue(
        db, now=now, kind=draft.kind, to_addr=draft.to_addr, from_addr=draft.from_addr,
        from_name=draft.from_name, subject=draft.subject, body=draft.body,
        influencer_id=draft.influencer_id, campaign_id=draft.campaign_id,
        in_reply_to=draft.in_reply_to, refs=draft.refs, author=draft.author,
    )
    attachments.link_files(db, row, draft.attachments)
    return row, status

