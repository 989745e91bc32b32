"""Email addresses: one plain addr-spec each, validated once when stored.

aiosmtplib re-parses what it is given (a quoted local part with CR/LF became a
second RCPT here), so only what passes this check is ever handed to SMTP.
"""

from __future__ import annotations

import re

from store.errors import UserError
from store.header_text import PROBLEM as ENCODED_WORD_PROBLEM
from store.header_text import decodes_to_control

_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LOCAL = re.compile(rf"^{_ATOM}(?:\.{_ATOM})*$")
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def address_problem(text: str) -> str | None:
    """Why `text` is not an address we will send to, or None when it is fine."""
    if text != text.strip():
        return "has leading or trailing spaces"
    if not text:
        return "is empty"
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        return "contains a control character"
    if decodes_to_control(text):
        return ENCODED_WORD_PROBLEM
    if any(ch in text for ch in " <>,;\"()[]\\"):
        return "must be a bare address like ana@example.com, with no name, spaces or list"
    if text.count("@") != 1:
        return "must contain exactly one @"
    local, domain = text.split("@")
    if not local or not domain:
        return "needs text on both sides of the @"
    if len(local) > 64:
        return "has a local part longer than 64 characters"
    if not _LOCAL.match(local):
        return "has a malformed local part (dots at the ends, two dots, or odd characters)"
    ascii_domain = _ascii_domain(domain)
    if ascii_domain is None:
        return "has a domain that is not a valid internationalised name"
    labels = ascii_domain.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        return "has a malformed domain"
    if len(ascii_domain) > 253 or len(text) > 254:
        return "is too long"
    return None


def _ascii_domain(domain: str) -> str | None:
    try:
        return domain.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return None


def normalise_address(text: str, what: str = "The address") -> str:
    """Return the stored form (domain lower-cased, IDN as punycode) or raise one sentence."""
    problem = address_problem(text)
    if problem:
        raise UserError(f"{what} {text!r} {problem}.")
    local, domain = text.split("@")
    return f"{local}@{_ascii_domain(domain)}"
