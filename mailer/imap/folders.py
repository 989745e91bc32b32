"""The `folders` setting: which IMAP folders sync reads, their names on the wire, and missing ones.

Names are written as the operator sees them ("Éléments envoyés", Outlook's Sent folder in
French) and sent as IMAP's modified UTF-7 (RFC 3501 §5.1.3). Each folder keeps its own
UIDVALIDITY and last UID (`store.imap_state`), so adding one later neither re-reads nor skips mail.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping

from store.errors import UserError

DEFAULT = ("INBOX",)
_EXAMPLE = '["INBOX", "Sent"]'
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_ENCODED = re.compile(r"&([^-]*)-")


def from_setting(section: Mapping) -> tuple[str, ...]:
    """The folders to read from the `[imap]` table: a non-empty list of distinct, non-empty names."""
    value = section.get("folders", list(DEFAULT))
    if not isinstance(value, list) or not value:
        raise UserError(f"[imap] folders must be a list of folder names, e.g. folders = {_EXAMPLE}.")
    names: list[str] = []
    for item in value:
        if not isinstance(item, str) or not item.strip() or _CONTROL.search(item):
            raise UserError(f"[imap] folders must hold folder names, e.g. {_EXAMPLE}; "
                            f"{_shown(item)} is not one.")
        name = item.strip()
        if _key(name) in (_key(known) for known in names):
            raise UserError(f"[imap] folders names {name!r} twice.")
        names.append(name)
    return tuple(names)


def _key(name: str) -> str:
    """INBOX is the one name IMAP reads without regard to case (RFC 3501 §5.1)."""
    return "INBOX" if name.upper() == "INBOX" else name


def _shown(item: object) -> str:
    if isinstance(item, str):
        return "an empty name" if not item.strip() else "a name with a control character"
    return repr(item)[:40]


def encode(name: str) -> str:
    """`name` in modified UTF-7, as IMAP commands carry folder names."""
    out: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            data = "".join(pending).encode("utf-16-be")
            out.append("&" + base64.b64encode(data).decode().rstrip("=").replace("/", ",") + "-")
            pending.clear()

    for char in name:
        if " " <= char <= "~":
            flush()
            out.append("&-" if char == "&" else char)
        else:
            pending.append(char)
    flush()
    return "".join(out)


def decode(name: str) -> str:
    """A folder name from the server (modified UTF-7) as a person reads it."""
    def one(found: re.Match[str]) -> str:
        chunk = found.group(1)
        if not chunk:
            return "&"
        data = chunk.replace(",", "/")
        try:
            return base64.b64decode(data + "=" * (-len(data) % 4)).decode("utf-16-be")
        except ValueError:
            return found.group(0)

    return _ENCODED.sub(one, name)


def missing_sentence(missing: list[str], synced: list[str], others: list[str]) -> str:
    """One sentence for folders the server does not have, naming what it has and what was synced."""
    names = " and ".join(f'"{name}"' for name in missing)
    noun = "folder" if len(missing) == 1 else "folders"
    done = f"; {', '.join(synced)} synced" if synced else "; nothing was synced"
    others = sorted(others, key=lambda name: (_key(name) != "INBOX", name.casefold()))
    listing = f" (it has {', '.join(others[:8])}{', …' if len(others) > 8 else ''})" if others else ""
    return f"The IMAP server has no {noun} {names}{listing}: check folders in [imap]{done}."
