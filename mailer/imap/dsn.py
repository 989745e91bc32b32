"""Delivery status notifications (RFC 3464 multipart/report): what bounced, and why."""

from __future__ import annotations

from email.message import Message
from email.parser import BytesHeaderParser

from store.addresses import address_problem
from store.inbound import Bounce
from store.threads import message_ids


def is_report(message: Message) -> bool:
    """True for a multipart/report of report-type delivery-status."""
    if message.get_content_type() != "multipart/report":
        return False
    return str(message.get_param("report-type", "") or "").lower() == "delivery-status"


def _text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if isinstance(payload, bytes):
        return payload.decode("utf-8", errors="replace")
    raw = part.get_payload()
    if isinstance(raw, list):
        return "\n\n".join(item.as_string() for item in raw if isinstance(item, Message))
    return str(raw or "")


def _field_blocks(part: Message) -> list[dict[str, str]]:
    """The per-message and per-recipient field groups, lower-cased names."""
    text = _text(part).replace("\r\n", "\n")
    blocks: list[dict[str, str]] = []
    for chunk in text.split("\n\n"):
        fields: dict[str, str] = {}
        name = None
        for line in chunk.split("\n"):
            if line[:1] in (" ", "\t") and name:
                fields[name] += " " + line.strip()
            elif ":" in line:
                name, _, value = line.partition(":")
                name = name.strip().lower()
                fields[name] = value.strip()
        if fields:
            blocks.append(fields)
    return blocks


def _address(value: str) -> str | None:
    """The address of a `rfc822; ana@example.com` field."""
    address = value.partition(";")[2].strip() if ";" in value else value.strip()
    address = address.strip("<>").strip()
    return address if address and address_problem(address) is None else None


def _original_message_id(report: Message, blocks: list[dict[str, str]]) -> str | None:
    for fields in blocks:
        for name in ("original-message-id", "x-original-message-id"):
            found = message_ids(fields.get(name))
            if found:
                return found[0]
    for part in report.walk():
        kind = part.get_content_type()
        headers: Message | None = None
        if kind == "message/rfc822":
            inner = part.get_payload()
            first = inner[0] if isinstance(inner, list) and inner else None
            headers = first if isinstance(first, Message) else None
        elif kind == "text/rfc822-headers":
            headers = BytesHeaderParser().parsebytes(_text(part).encode("utf-8", "replace"))
        if headers is not None:
            found = message_ids(str(headers.get("Message-ID", "") or ""))
            if found:
                return found[0]
    return None


def parse_report(report: Message) -> Bounce | None:
    """The bounce a delivery report describes, or None when it has no status part."""
    status_part = next((p for p in report.walk() if p.get_content_type() == "message/delivery-status"), None)
    if status_part is None:
        return None
    blocks = _field_blocks(status_part)
    recipients = [b for b in blocks if "final-recipient" in b or "original-recipient" in b]
    failed = [b for b in recipients if b.get("action", "").lower() == "failed"
              or b.get("status", "").startswith("5")]
    chosen = (failed or recipients or [{}])[0]
    addresses = [a for b in (failed or recipients)
                 for a in (_address(b.get("final-recipient", "")), _address(b.get("original-recipient", "")))
                 if a]
    return Bounce(
        recipients=list(dict.fromkeys(addresses)),
        action=chosen.get("action", "").lower(),
        status=chosen.get("status", ""),
        diagnostic=chosen.get("diagnostic-code", "").partition(";")[2].strip()
        or chosen.get("diagnostic-code", ""),
        original_message_id=_original_message_id(report, blocks),
        permanent=bool(failed),
    )


def summary(report: Message) -> str:
    """The report as the bounce inspector shows it: the MTA's words, then the status fields."""
    human = next((_text(p) for p in report.walk() if p.get_content_type() == "text/plain"), "")
    status = next((p for p in report.walk() if p.get_content_type() == "message/delivery-status"), None)
    fields = "\n\n".join(
        "\n".join(f"{name.title()}: {value}" for name, value in block.items())
        for block in (_field_blocks(status) if status is not None else [])
    )
    return "\n\n".join(part.strip() for part in (human, fields) if part.strip())
