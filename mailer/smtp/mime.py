"""Building the bytes of one outgoing message with the `email` package (`policy=default`).

Headers are guarded twice: each value is checked for line breaks right after it is set
(CPython 3.11.7 decodes `=?UTF-8?Q?=0A?=` into a raw newline, gh-121650), and the
finished bytes are parsed back to check that the header set is exactly the allowed one.
A message that fails either check is refused with a sentence, never sent.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from email.headerregistry import Address, BaseHeader, HeaderRegistry, UnstructuredHeader
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.policy import Policy
from email.utils import format_datetime

from mailer.web.links import UNSUBSCRIBE_PREFIX
from store.addresses import address_problem
from store.clock import from_iso
from store.outbox.tokens import message_token

COMPOSE_VERSION = "1"
REQUIRED = ("from", "to", "subject", "date", "message-id", "mime-version", "content-type",
            "list-unsubscribe")
OPTIONAL = ("content-transfer-encoding", "list-unsubscribe-post", "in-reply-to", "references")
ALLOWED = frozenset(REQUIRED + OPTIONAL)
_LINE_BREAKS = re.compile(r"[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029\x00]")
_MESSAGE_ID = re.compile(r"<[!-;=?-~]+@[!-;=?-~]+>")
_FIELD_NAME = re.compile(rb"[!-9;-~]+")
_MAX_LINE = 998


class _UriListHeader(UnstructuredHeader, BaseHeader):
    """List-Unsubscribe (RFC 2369): folded only between its <URI>s, never RFC 2047-encoded,
    which the default folding does to any word longer than a line."""

    def fold(self, *, policy: Policy) -> str:
        text = str(self)
        if not text.isascii():
            raise ComposeError(f"The {self.name} header must be plain ASCII.")
        linesep = policy.linesep
        uris = [part.strip() for part in text.split(",")]
        return f"{self.name}: " + f",{linesep} ".join(uris) + linesep


class _CachedRegistry(HeaderRegistry):
    """The stdlib registry builds a new class per header set; the same class serves every time."""

    def __init__(self) -> None:
        super().__init__()
        self.map_to_type("list-unsubscribe", _UriListHeader)
        self._built: dict[str, type] = {}

    def __getitem__(self, name: str) -> type:
        key = name.lower()
        if key not in self._built:
            self._built[key] = super().__getitem__(name)
        return self._built[key]


POLICY = SMTP_POLICY.clone(header_factory=_CachedRegistry())


class ComposeError(Exception):
    """A message that cannot be sent as it is; the text is one sentence for the operator."""


def build_key(unsubscribe_url: str | None, unsubscribe_mailto: str | None,
              public_url: str | None = None) -> str:
    """A digest of the settings bytes are built under besides the row itself (whose edits
    delete its prebuilt bytes, store/outbox/raw.py); prebuilt bytes are used only on a match."""
    payload = json.dumps(["build", COMPOSE_VERSION, unsubscribe_url, unsubscribe_mailto, public_url])
    return hashlib.blake2b(payload.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def compose(row: Mapping, *, unsubscribe_url: str | None = None,
            unsubscribe_mailto: str | None = None, public_url: str | None = None) -> bytes:
    """The message's bytes with CRLF line ends, or ComposeError.

    List-Unsubscribe names `unsubscribe_url?id=TOKEN` when it is set, else `serve`'s own
    one-click page `public_url/u/TOKEN`, and always the mailto."""
    msg = EmailMessage(policy=POLICY)
    _set(msg, "From", _address(row["from_addr"], row.get("from_name") or "", "sender"))
    _set(msg, "To", _address(row["to_addr"], "", "recipient"))
    _set(msg, "Subject", row.get("subject") or "")
    _set(msg, "Date", format_datetime(from_iso(row.get("scheduled_at") or row["created_at"])))
    _set(msg, "Message-ID", _message_id(row["message_id"]))
    threading = _ids(row.get("in_reply_to"))
    if threading:
        _set(msg, "In-Reply-To", threading[0])
    references = _ids(row.get("refs")) or threading
    if references:
        _set(msg, "References", " ".join(references))
    _set_unsubscribe(msg, row, unsubscribe_url, unsubscribe_mailto, public_url)
    _set_body(msg, row["body"] or "", row.get("body_html"))
    _add_attachments(msg, row)
    raw = msg.as_bytes()
    _check_bytes(raw)
    return raw


def _set(msg: EmailMessage, name: str, value: object) -> None:
    try:
        msg[name] = value
        shown = str(msg[name])
    except (ValueError, TypeError, IndexError) as error:
        raise ComposeError(f"The {name} header cannot be built ({error}).") from None
    if _LINE_BREAKS.search(shown):
        raise ComposeError(f"The {name} header would contain a line break (header injection); "
                           "the message was not sent.")


def _address(addr: str | None, name: str, role: str) -> Address:
    problem = address_problem(addr or "")
    if problem:
        raise ComposeError(f"The {role} address {addr!r} {problem}.")
    local, domain = (addr or "").split("@")
    try:
        return Address(display_name=name, username=local, domain=domain)
    except ValueError:
        raise ComposeError(f"The {role} name would contain a line break (header injection); "
                           "the message was not sent.") from None


def _message_id(value: str | None) -> str:
    if not value or not _MESSAGE_ID.fullmatch(value):
        raise ComposeError(f"The Message-ID {value!r} is malformed.")
    return value


def _ids(text: str | None) -> list[str]:
    """Message-IDs from In-Reply-To/References data; anything else in them is dropped."""
    return _MESSAGE_ID.findall(text or "")


def _set_unsubscribe(msg: EmailMessage, row: Mapping, url: str | None, mailto: str | None,
                     public_url: str | None) -> None:
    token = message_token(row["message_id"])
    targets = []
    if url:
        web: str | None = f"{url}{'&' if '?' in url else '?'}id={token}"
    elif public_url:
        web = f"{public_url.rstrip('/')}{UNSUBSCRIBE_PREFIX}{token}"
    else:
        web = None
    if web:
        targets.append(f"<{web}>")
    targets.append(f"<mailto:{mailto or row['from_addr']}?subject=unsubscribe%20{token}>")
    _set(msg, "List-Unsubscribe", ", ".join(targets))
    if web and web.startswith("https://"):
        # RFC 8058: one-click only with an https URI to POST to (an http one on loopback is not offered).
        _set(msg, "List-Unsubscribe-Post", "List-Unsubscribe=One-Click")


def _set_body(msg: EmailMessage, body: str, body_html: str | None) -> None:
    msg.set_content(_normalise(body), cte=_transfer_encoding(body))
    if body_html:
        msg.add_alternative(_normalise(body_html), subtype="html", cte=_transfer_encoding(body_html))


def _add_attachments(msg: EmailMessage, row: Mapping) -> None:
    """Each file as a base64 part after the text (multipart/mixed, the text first); a non-ASCII
    name is written the RFC 2231 way (filename*=utf-8''…), which the email package does itself."""
    if row.get("attachment_error"):
        raise ComposeError(row["attachment_error"])
    for part in row.get("attachments") or ():
        maintype, _, subtype = part.content_type.partition("/")
        msg.add_attachment(part.data, maintype=maintype, subtype=subtype or "octet-stream",
                           filename=part.filename)
    for part in msg.iter_parts():
        del part["MIME-Version"]  # the stdlib repeats it on each added part; it belongs at the top only


def _normalise(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text if text.endswith("\n") else text + "\n"


def _transfer_encoding(text: str) -> str:
    plain = text.isascii() and all(len(line) <= _MAX_LINE for line in text.splitlines())
    return "7bit" if plain else "quoted-printable"


def _check_bytes(raw: bytes) -> None:
    """The header block has only CRLF line ends and exactly the allowed headers, once each."""
    head = raw.split(b"\r\n\r\n", 1)[0]
    if b"\r" in head.replace(b"\r\n", b"") or b"\n" in head.replace(b"\r\n", b""):
        raise ComposeError("The message headers would contain a bare line break (header injection); "
                           "the message was not sent.")
    names = []
    for line in head.split(b"\r\n"):
        if line[:1] in (b" ", b"\t"):
            continue
        name, colon, _ = line.partition(b":")
        if not colon or not _FIELD_NAME.fullmatch(name):
            raise ComposeError("The message headers contain a malformed line; the message was not sent.")
        names.append(name.decode("ascii").lower())
    unexpected = sorted(set(names) - ALLOWED)
    repeated = sorted({name for name in names if names.count(name) > 1})
    missing = [name for name in REQUIRED if name not in names]
    if unexpected:
        raise ComposeError(f"A header field of the message would smuggle in {', '.join(unexpected)} "
                           "(header injection); the message was not sent.")
    if repeated or missing:
        raise ComposeError(f"The message headers are malformed (repeated {repeated}, missing {missing}); "
                           "the message was not sent.")
