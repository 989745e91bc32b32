"""One message as it left or arrived: its headers and its text, for the app's viewer and `outbox show`.

Outgoing mail keeps no bytes once sent (store/outbox/raw.py purges them), so its bytes are
composed again from the row with the build settings in force: the same function the sender
uses, so the headers are those that went out (or will). Incoming mail is stored parsed, so its
headers are the ones callsheet kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from mailer.config import DispatchSettings, load_config
from mailer.dispatch.prebuild import build
from mailer.smtp.mime import ComposeError
from store import attachment_mail
from store.db import Store
from store.errors import NotFound, UserError

# The headers shown when the full list is hidden, in this order (as mutt's default `ignore *`).
SHORT = ("From", "To", "Date", "Subject")
_COLUMNS = """SELECT m.*, c.name AS campaign, i.handle FROM messages m
              LEFT JOIN campaigns c ON c.id = m.campaign_id LEFT JOIN influencers i ON i.id = m.influencer_id
              WHERE m.id = ?"""


@dataclass(frozen=True)
class MessageSource:
    """A message's headers (name, value) in their order, its plain text, and where it stands."""

    id: int
    direction: str
    status: str | None
    kind: str
    handle: str | None
    campaign: str | None
    headers: tuple[tuple[str, str], ...]
    text: str
    note: str  # how the headers were obtained, one sentence
    event: str = ""  # what happened at `at`: "sent", "due" or "received" ("" when no time applies)
    at: str | None = None  # that instant, as the store keeps it (UTC)

    def short_headers(self) -> tuple[tuple[str, str], ...]:
        found = {name.lower(): (name, value) for name, value in self.headers}
        return tuple(found[name.lower()] for name in SHORT if name.lower() in found)


def message_source(store: Store, message_id: int, settings: DispatchSettings | None = None) -> MessageSource:
    """Message #`message_id`, either direction, or NotFound in one sentence."""
    rows = list(store.reader().query(_COLUMNS, [message_id]))
    if not rows:
        raise NotFound(f"There is no message #{message_id}.")
    row = rows[0]
    if row["direction"] == "out":
        attachment_mail.add_parts(store.reader(), [row])
        headers, text, note = _outgoing(row, settings)
    else:
        headers, text, note = _incoming(row)
    event, at = _moment(row)
    return MessageSource(id=row["id"], direction=row["direction"], status=row["status"], kind=row["kind"],
                         handle=row["handle"], campaign=row["campaign"], headers=headers, text=text,
                         note=note, event=event, at=at)


def _moment(row: dict) -> tuple[str, str | None]:
    """When the message went, will be tried, or came in: the one time worth naming in the viewer."""
    if row["direction"] != "out":
        return "received", row["received_at"] or row["created_at"]
    if row["status"] == "sent":
        return "sent", row["sent_at"]
    if row["status"] in ("planned", "queued", "deferred", "sending") and row["next_attempt_at"]:
        return "due", row["next_attempt_at"]
    return "", None


def _outgoing(row: dict, settings: DispatchSettings | None) -> tuple[tuple[tuple[str, str], ...], str, str]:
    settings = settings or load_config().dispatch
    when = "as it was sent" if row["status"] == "sent" else "as it will be sent"
    try:
        raw = build(row, settings)
    except ComposeError as error:
        raise UserError(f"Message #{row['id']} cannot be built: {error}") from None
    parsed = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(parsed, EmailMessage)
    headers = tuple((name, str(value)) for name, value in parsed.items())
    return headers, row["body"] or "", f"Message #{row['id']}, {when} (built again from what is stored)."


def _incoming(row: dict) -> tuple[tuple[tuple[str, str], ...], str, str]:
    sender = f"{row['from_name']} <{row['from_addr']}>" if row["from_name"] else (row["from_addr"] or "")
    kept = (("From", sender), ("To", row["to_addr"] or ""), ("Date", row["received_at"] or row["created_at"]),
            ("Subject", row["subject"]), ("Message-ID", row["message_id"] or ""),
            ("In-Reply-To", row["in_reply_to"] or ""), ("References", row["refs"] or ""))
    headers = tuple((name, value) for name, value in kept if value)
    return headers, row["body"] or "", f"Message #{row['id']}, as received (the headers callsheet keeps)."
