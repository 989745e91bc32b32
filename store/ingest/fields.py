"""The value rules of each import column: what is accepted, how it is stored, and why a value is not.

Each parser takes the cell's text (already trimmed of spaces, except `email`,
whose spaces are an error in their own right) and returns the stored value, or
raises `Invalid` with the reason as it will follow "line N: ".
"""

from __future__ import annotations

import re

from store.addresses import normalise_address
from store.errors import UserError
from store.handles import shown

MAX_FOLLOWERS = 10**10
MAX_TEXT = 500
MAX_ADDRESS = 2000
MAX_CUSTOM = 10_000

# Unicode categories Cc (C0, DEL, C1), Zl and Zp: every character that can break or end a line.
_BREAKING = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # Cc but tab, LF and CR
# A subset of what store.addresses accepts, checked in one match: plain ASCII addresses.
_PLAIN_ADDRESS = re.compile(
    r"(?P<local>[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*)"
    r"@(?P<domain>(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)", re.ASCII)
_HANDLE = re.compile(r"^[\w.-]{1,64}$")
_WHOLE = re.compile(r"^(\d+)(?:[.,]0+)?$", re.ASCII)
_GROUPED = re.compile(r"^\d{1,3}(?:([,. \u00a0\u202f'])\d{3})(?:\1\d{3})*$", re.ASCII)
_SCALED = re.compile(r"^(\d+(?:[.,]\d+)?)\s*([kmb])$", re.ASCII | re.IGNORECASE)
_PERCENT = re.compile(r"^(\d+(?:[.,]\d+)?)\s*%?$", re.ASCII)
_COUNTRY = re.compile(r"^[A-Za-z]{2}$")
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})?$")
SCALE = {"k": 1_000, "m": 1_000_000, "b": 1_000_000_000}


class Invalid(ValueError):
    """A value that breaks its column's rule; the message is the reason shown to the person."""


def line_breaking(text: str) -> str | None:
    """The first character of `text` that could end an email header line (or NUL), if any."""
    found = _BREAKING.search(text)
    return found[0] if found else None


def single_line(column: str, text: str, limit: int = MAX_TEXT) -> str:
    """A one-line text: control characters and line separators would forge email headers."""
    char = line_breaking(text)
    if char is not None:
        raise Invalid(f"{column} contains a line break or control character (U+{ord(char):04X}); "
                      "it could forge an email header")
    if len(text) > limit:
        raise Invalid(f"{column} is longer than {limit} characters")
    return text


def handle(text: str) -> str:
    """The handle as it will be shown: composed (NFC), so a decomposed `josé` passes the rule too."""
    clean = shown(text)
    if "/" in clean:
        raise Invalid(f"handle {text!r} is a link; give the handle alone, like ana_lopez")
    if not _HANDLE.match(clean):
        raise Invalid(f"handle {text!r} may only hold letters, digits, dots, underscores and dashes "
                      "(at most 64)")
    return clean


def email(text: str) -> str:
    """A bare addr-spec, stored with its domain lower-cased (IDN as punycode)."""
    plain = _PLAIN_ADDRESS.fullmatch(text)
    if plain and len(plain["local"]) <= 64 and len(text) <= 254:
        return f"{plain['local']}@{plain['domain'].lower()}"
    try:
        return normalise_address(text, "email")
    except UserError as error:
        raise Invalid(str(error).rstrip(".")) from None


def followers(text: str) -> int:
    """A count of followers: 12500, "12,500", "12 500", "12.5k", "1.2m"."""
    compact = text.replace("_", "")
    value: float | None = None
    if _GROUPED.match(compact):
        value = int(re.sub(r"\D", "", compact))
    elif match := _WHOLE.match(compact):
        value = int(match[1])
    elif match := _SCALED.match(compact):
        value = float(match[1].replace(",", ".")) * SCALE[match[2].lower()]
    if value is None:
        raise Invalid(f"followers {text!r} is not a whole number (like 12500, 12,500, 12k or 1.2m)")
    if value > MAX_FOLLOWERS:
        raise Invalid(f"followers {text!r} is more than any account has")
    return round(value)


def engagement_rate(text: str) -> float:
    """A percentage from 0 to 100: 3.5, "3.5%", "3,5 %"."""
    match = _PERCENT.match(text)
    if not match:
        raise Invalid(f"engagement_rate {text!r} is not a percentage (like 3.5 or 3.5%)")
    value = float(match[1].replace(",", "."))
    if value > 100:
        raise Invalid(f"engagement_rate {text!r} is over 100%")
    return value


def country(text: str) -> str:
    if not _COUNTRY.match(text):
        raise Invalid(f"country {text!r} is not a two-letter ISO 3166 code (like FR or US)")
    return text.upper()


def language(text: str) -> str:
    if not _LANGUAGE.match(text):
        raise Invalid(f"language {text!r} is not an ISO 639 code (like en, fr or pt-br)")
    return text.lower().replace("_", "-")


def word_list(column: str, value: str | list[str], *, strip_hash: bool = False) -> list[str] | None:
    """Comma-separated words, trimmed, lower-cased, without repeats, in their order; None if none."""
    parts = value if isinstance(value, list) else value.split(",")
    single_line(column, "".join(parts), MAX_TEXT * 10)
    words: list[str] = []
    for part in parts:
        word = part.strip().lower()
        if strip_hash:
            word = word.lstrip("#")
        if len(word) > 100:
            raise Invalid(f"{column} has a word longer than 100 characters")
        if word and word not in words:
            words.append(word)
    return words or None


def address(text: str) -> str:
    """A postal address: several lines are fine, NUL and other control characters are not."""
    control = _CONTROL.search(text)
    if control:
        raise Invalid(f"address contains a control character (U+{ord(control[0]):04X})")
    if len(text) > MAX_ADDRESS:
        raise Invalid(f"address is longer than {MAX_ADDRESS} characters")
    return text.replace("\r\n", "\n")


def custom(key: str, text: str) -> str:
    """A custom variable's value: free text, but no NUL or other control character but line breaks."""
    control = _CONTROL.search(text)
    if control:
        raise Invalid(f"{key} contains a control character (U+{ord(control[0]):04X})")
    if len(text) > MAX_CUSTOM:
        raise Invalid(f"{key} is longer than {MAX_CUSTOM} characters")
    return text
