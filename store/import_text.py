"""Turning the bytes of a text file into text: UTF-8 (BOM or not), UTF-16 with a BOM, or Windows-1252.

A file that is not UTF-8 is read as Windows-1252 (the superset of Latin-1 that
Excel on Windows writes) only when every byte decodes under it, and the report
says so; anything else is refused with the offset of the first bad byte.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from store.errors import UserError

BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


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
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise _refusal(path, data, utf8_error) from None
    note = (f"{path.name} is not UTF-8; it was read as Windows-1252 (Western European): "
            "check accented names, or save it as CSV UTF-8.")
    return text, [note]


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
