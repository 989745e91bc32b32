"""Attachment parts of received mail: named safely, measured, and their bytes stored before the
message's write transaction (so the write lock never waits on the disk for them).

A part over `max_part_bytes`, or one that would take the message past `max_message_bytes`
([attachments] settings), is not kept: the timeline lists it as skipped with its size, and the
message itself is stored as usual. Nothing received is ever run; files are stored 0600.
"""

from __future__ import annotations

from collections.abc import Iterable
from email.message import Message
from pathlib import Path

from mailer.config import AttachmentLimits, load_attachment_limits
from mailer.imap import client
from store import attachment_files
from store.attachment_mail import IncomingPart
from store.attachments import TOO_LARGE, safe_name
from store.db import Store
from store.inbound import InboundMessage

UNREADABLE = "unreadable"


def _filename(part: Message) -> str | None:
    try:
        return part.get_filename()
    except Exception:  # noqa: BLE001 - a broken parameter costs the name, never the part
        return None


def _encoded_size(part: Message) -> int:
    """The decoded size as far as the encoded text tells (base64 carries 3 bytes in 4)."""
    payload = part.get_payload()
    if not isinstance(payload, str):
        return 0
    encoding = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
    if encoding != "base64":
        return len(payload)
    return (len(payload) - sum(payload.count(ch) for ch in "\r\n\t =")) * 3 // 4


def _decoder(part: Message) -> bytes:
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else b""


def read_part(part: Message, number: int) -> IncomingPart:
    """The part as it is kept: its sanitised name (or `attachment-N`) and its approximate size."""
    name = safe_name(_filename(part), fallback=f"attachment-{number}")
    return IncomingPart(filename=name, size=_encoded_size(part), decode=lambda: _decoder(part))


def _keep(part: IncomingPart, folder: Path, room: int, limits: AttachmentLimits) -> int:
    """Store one part's bytes if they fit; returns the bytes it takes of the message's allowance."""
    cap = min(limits.max_part_bytes, room)
    if part.size > cap:  # told from the encoded text: a huge part is never even decoded
        part.skipped = TOO_LARGE
        return 0
    try:
        data = part.decode() if part.decode is not None else None
    except Exception:  # noqa: BLE001 - a part that cannot be decoded is listed, never fatal
        data = None
    if data is None:
        part.skipped = UNREADABLE
        return 0
    part.size = len(data)
    if part.size > cap:
        part.skipped = TOO_LARGE
        return 0
    part.sha256 = attachment_files.put(folder, data)
    part.content_type = attachment_files.sniff(data)
    return part.size


def fetch_limit(limits: AttachmentLimits | None = None) -> int:
    """The size up to which sync fetches a message whole: room for the text and for the attachments
    it may keep, base64 taking 4 bytes for 3. Larger mail is fetched in part, its text first."""
    limits = limits or load_attachment_limits()
    return client.MAX_MESSAGE_BYTES + limits.max_message_bytes * 4 // 3


def store_parts(store: Store, mails: Iterable[InboundMessage],
                limits: AttachmentLimits | None = None) -> None:
    """Put every keepable part of `mails` in the attachment store, marking the others skipped."""
    limits = limits or load_attachment_limits()
    folder = attachment_files.folder(store.reader())
    for mail in mails:
        if "truncated" in mail.flags and mail.attachments:
            mail.attachments[-1].skipped = TOO_LARGE  # fetched in part: the last one is cut short
        room = limits.max_message_bytes
        for part in mail.attachments:
            if part.skipped is None:
                room -= _keep(part, folder, room, limits)
            part.decode = None  # the message's bytes are not held past this point
