"""Reading raw inbound mail into an `InboundMessage`, as well as it can be read.

Mail in the wild has bad encodings, missing or broken headers and huge
attachments; every field is read on its own so one bad header costs that field,
never the message, and nothing here raises.
"""

from __future__ import annotations

import hashlib
import html
import re
from datetime import UTC
from email import policy
from email.header import decode_header, make_header
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime

from mailer.imap import dsn
from mailer.imap.attachment_parts import read_part
from store import reply_marks, reply_signal
from store.addresses import address_problem, normalise_address
from store.attachment_mail import IncomingPart
from store.clock import iso
from store.inbound import InboundMessage
from store.outbox.queueing import one_line
from store.threads import message_ids

MAX_BODY_CHARS = 200_000
MAX_HEADER_CHARS = 998
MAX_RECIPIENTS = 50
_TAGS = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.S | re.I)
_BLOCK_TAGS = re.compile(r"<\s*(br|/p|/div|/li|/tr|/h\d)\b[^>]*>", re.I)
# "unsubscribe", alone or followed by what our links put there: the token (List-Unsubscribe
# mailto) or the campaign's name (a template's unsubscribe link).
_UNSUBSCRIBE_SUBJECT = re.compile(r"unsubscribe(?:[\s:]+(.{0,200}))?", re.I)


def synthetic_message_id(raw: bytes) -> str:
    """A stable id for mail without one, so syncing it twice still stores it once."""
    return f"<{hashlib.sha256(raw).hexdigest()[:40]}@callsheet.synthetic>"


def _header(message: Message, name: str) -> str:
    """One header as text, decoded when possible and raw otherwise."""
    try:
        value = message.get(name)
        return "" if value is None else str(value)
    except Exception:  # noqa: BLE001 - the email package raises many things on bad headers
        pass
    for key, raw in message.raw_items():
        if key.lower() == name.lower():
            try:
                return str(make_header(decode_header(raw)))
            except Exception:  # noqa: BLE001
                return str(raw)
    return ""


def _address(message: Message, name: str) -> tuple[str | None, str]:
    """(address, display name) of a From-like header; an unusable address stays as text."""
    text = _header(message, name)
    if not text:
        return None, ""
    try:
        pairs = getaddresses([text])
    except Exception:  # noqa: BLE001
        pairs = []
    for display, address in pairs:
        if address and address_problem(address) is None:
            return normalise_address(address), one_line(display)[:200]
    return one_line(text)[:MAX_HEADER_CHARS] or None, ""


def _recipients(message: Message) -> list[str]:
    """Every usable To and Cc address, in order: whom a copy of our own mail was written to."""
    try:
        pairs = getaddresses([_header(message, "To"), _header(message, "Cc")])
    except Exception:  # noqa: BLE001
        return []
    found: dict[str, str] = {}  # influencers are looked up ignoring case: one address, one entry
    for _, address in pairs:
        if address and address_problem(address) is None:
            found.setdefault(address.casefold(), normalise_address(address))
    return list(found.values())[:MAX_RECIPIENTS]


def _date(message: Message) -> str | None:
    try:
        moment = parsedate_to_datetime(_header(message, "Date"))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return iso(moment)
    except (OverflowError, ValueError):
        return None


def _decode_part(part: Message) -> str:
    """A text part's content, whatever its declared charset and transfer encoding."""
    if isinstance(part, EmailMessage):  # what `policy.default` parses into
        try:
            content = part.get_content()
            if isinstance(content, str):
                return content
        except Exception:  # noqa: BLE001 - unknown charsets raise LookupError, bad bytes others
            pass
    payload = part.get_payload(decode=True) or b""
    if not isinstance(payload, bytes):
        return str(payload)
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, errors="replace")
    except LookupError:
        return payload.decode("utf-8", errors="replace")


def html_to_text(markup: str) -> str:
    text = _BLOCK_TAGS.sub("\n", markup)
    text = html.unescape(_TAGS.sub("", text))
    return re.sub(r"\n{3,}", "\n\n", re.sub(r"[ \t]+", " ", text)).strip()


def _bodies(message: Message) -> tuple[str, str | None, list[IncomingPart]]:
    """(plain text, html, attachment parts) of a message."""
    plain: str | None = None
    markup: str | None = None
    parts: list[IncomingPart] = []
    for part in message.walk():
        if part.is_multipart() or part.get_content_type().startswith("message/"):
            continue
        disposition = (part.get_content_disposition() or "").lower()
        kind = part.get_content_type()
        if disposition == "attachment" or not kind.startswith("text/"):
            parts.append(read_part(part, len(parts) + 1))
        elif kind == "text/plain" and plain is None:
            plain = _decode_part(part)
        elif kind == "text/html" and markup is None:
            markup = _decode_part(part)
    if plain is None:
        plain = html_to_text(markup) if markup else ""
    return plain, markup, parts


def unsubscribe_subject(subject: str) -> tuple[bool, str | None]:
    """(whether the subject asks to unsubscribe, the word after "unsubscribe" that may be a token)."""
    found = _UNSUBSCRIBE_SUBJECT.fullmatch(subject.strip())
    if found is None:
        return False, None
    rest = (found.group(1) or "").strip()
    return True, (rest if rest and " " not in rest else None)


def _parse_message(raw: bytes) -> InboundMessage:
    message = BytesParser(policy=policy.default).parsebytes(raw)
    flags = ["malformed"] if message.defects else []
    from_addr, from_name = _address(message, "From")
    reply_to, _ = _address(message, "Reply-To")
    to_addr, _ = _address(message, "To")
    own_ids = message_ids(_header(message, "Message-ID"))
    body, markup, parts = _bodies(message)
    mail = InboundMessage(
        message_id=own_ids[0][:MAX_HEADER_CHARS] if own_ids else synthetic_message_id(raw),
        subject=one_line(_header(message, "Subject"))[:MAX_HEADER_CHARS],
        body=body,  # the attachments are listed from the store (store/attachments.py)
        body_html=markup,
        from_addr=from_addr, from_name=from_name, reply_to=reply_to, to_addr=to_addr,
        recipients=_recipients(message),
        in_reply_to=message_ids(_header(message, "In-Reply-To")),
        references=message_ids(_header(message, "References")),
        sent_at=_date(message),
        flags=flags,
        attachments=parts,
    )
    mail.unsubscribe, mail.unsubscribe_token = unsubscribe_subject(mail.subject)
    if not own_ids:
        mail.flags.append("no-message-id")
    if reply_signal.auto_reply_headers(lambda name: _header(message, name)):
        mail.flags.append(reply_marks.AUTO_REPLY_FLAG)
    if dsn.is_report(message):
        mail.bounce = dsn.parse_report(message)
        mail.body = dsn.summary(message)
        mail.raw = raw
    return mail


def _fallback(raw: bytes) -> InboundMessage:
    """What is left when even the email package gave up: the bytes as text."""
    head, _, rest = raw.partition(b"\r\n\r\n") if b"\r\n\r\n" in raw else raw.partition(b"\n\n")
    return InboundMessage(
        message_id=synthetic_message_id(raw),
        subject="(unreadable message)",
        body=(rest or head).decode("utf-8", errors="replace"),
        flags=["malformed", "no-message-id"],
        raw=raw,
    )


def parse(raw: bytes, *, truncated: bool = False) -> InboundMessage:
    """Parse raw RFC 5322 bytes; never raises, flags what was wrong."""
    try:
        mail = _parse_message(raw)
    except Exception:  # noqa: BLE001 - malformed mail must never stop a sync
        mail = _fallback(raw)
    if truncated:
        mail.flags.append("truncated")
    if len(mail.body) > MAX_BODY_CHARS:
        mail.body = mail.body[:MAX_BODY_CHARS]
        mail.flags.append("truncated")
    if mail.body_html and len(mail.body_html) > MAX_BODY_CHARS:
        mail.body_html = None
    return mail
