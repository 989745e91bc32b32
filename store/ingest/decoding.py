"""Turning the bytes of a text file into text: UTF-8 (BOM or not), UTF-16 with a BOM, or Windows-1252.

A file that is not UTF-8 is read as Windows-1252 (the superset of Latin-1 that
Excel on Windows writes) only when every byte decodes under it and it holds no
valid multi-byte UTF-8 at all, and the report says so. A file that is UTF-8 in
places and not elsewhere (rows pasted from two programs) is refused with the
lines that are not UTF-8: read whole as Windows-1252, its UTF-8 names would be
stored as mojibake (José → JosÃ©). Anything else is refused with the offset of
the first bad byte.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable
from pathlib import Path

from store.errors import UserError

BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
SHOWN_LINES = 10
# Decoded with "surrogateescape", each byte that is not UTF-8 becomes one of U+DC80-U+DCFF,
# and every other non-ASCII character is a multi-byte UTF-8 sequence that decoded.
_NOT_UTF8 = re.compile("[\udc80-\udcff]")
_UTF8_MULTIBYTE = re.compile("[^\x00-\x7f\udc80-\udcff]")
_LINE_END = re.compile("\r\n|\r|\n")  # what the CSV reader counts as a line


def decode(path: Path, data: bytes) -> tuple[str, list[str]]:
    """The text of `data` and any notes about how it was decoded."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return _strict(path, data[len(bom):], encoding), []
    nul = data.find(b"\x00")
    if nul >= 0:
        raise UserError(f"{path.name} holds a NUL byte at offset {nul}: it is a binary file or "
                        "UTF-16 text without a byte-order mark; save it as CSV UTF-8.")
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as utf8_error:
        _refuse_mixed(path, data)
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise _refusal(path, data, utf8_error) from None
    note = (f"{path.name} is not UTF-8; it was read as Windows-1252 (Western European): "
            "check accented names, or save it as CSV UTF-8.")
    return text, [note]


def _refuse_mixed(path: Path, data: bytes) -> None:
    """Refuse a file that holds valid multi-byte UTF-8 and also bytes that are not UTF-8."""
    escaped = data.decode("utf-8", errors="surrogateescape")
    utf8 = _UTF8_MULTIBYTE.search(escaped)
    if utf8 is None:
        return
    bad = _lines_of(escaped, (m.start() for m in _NOT_UTF8.finditer(escaped)))
    shown = [str(n) for n in bad[:SHOWN_LINES]] + ([f"{len(bad) - SHOWN_LINES} more"]
                                                   if len(bad) > SHOWN_LINES else [])
    listed = shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}"
    first_utf8 = _lines_of(escaped, [utf8.start()])[0]
    verb = "are" if len(bad) > 1 else "is"
    raise UserError(f"{path.name} mixes encodings (line {first_utf8} is UTF-8, line{'s' * (len(bad) > 1)} "
                    f"{listed} {verb} not: Windows-1252?), so nothing was imported; save the whole file "
                    "as UTF-8.")


def _lines_of(text: str, offsets: Iterable[int]) -> list[int]:
    """The distinct line numbers (1-based) of ascending character offsets in `text`."""
    lines: list[int] = []
    line, counted = 1, 0
    for offset in offsets:
        line += sum(1 for _ in _LINE_END.finditer(text, counted, offset))
        counted = offset
        if not lines or lines[-1] != line:
            lines.append(line)
    return lines


def _strict(path: Path, data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        raise _refusal(path, data, error, encoding) from None


def _refusal(path: Path, data: bytes, error: UnicodeDecodeError, encoding: str = "") -> UserError:
    offset = error.start
    line = data.count(b"\n", 0, offset) + 1
    byte = data[offset:offset + 1].hex()
    if encoding:
        return UserError(f"{path.name} starts with a {encoding.upper()} byte-order mark but byte "
                         f"0x{byte} at offset {offset} (line {line}) is not {encoding.upper()}.")
    return UserError(f"{path.name} is neither UTF-8 nor Windows-1252 text (byte 0x{byte} at offset "
                     f"{offset}, line {line}); save it as CSV UTF-8.")


def is_mojibake_of(text: str, original: str) -> bool:
    """Whether `text` is `original`'s UTF-8 bytes read as Windows-1252 or Latin-1 (José → JosÃ©)."""
    if text == original or text.isascii():
        return False
    for encoding in ("cp1252", "latin-1"):
        try:
            if text.encode(encoding).decode("utf-8") == original:
                return True
        except UnicodeError:
            continue
    return False
