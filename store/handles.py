"""What makes two handles the same: the key every lookup, import and uniqueness check uses.

A handle is shown as it was given (in NFC, so it looks the same whatever composed
it), but matched by its key: NFKC, then case-folded, so `élise` and `ÉLISE`, `ana`
and the full-width `ａｎａ`, and a decomposed `josé` are one influencer. SQLite's
NOCASE folds ASCII only, hence a key column (`influencers.handle_key`, unique) that
the database fills through the SQL function registered here.
"""

from __future__ import annotations

import sqlite3
import unicodedata

SQL_FUNCTION = "callsheet_handle_key"


def handle_key(handle: str) -> str:
    """The form in which handles are compared (NFKC, case-folded, no leading @ or spaces)."""
    text = unicodedata.normalize("NFKC", handle.strip()).lstrip("@")
    return unicodedata.normalize("NFKC", text.casefold())


def shown(handle: str) -> str:
    """The handle as stored and shown: as given, composed (NFC), without a leading @."""
    return unicodedata.normalize("NFC", handle.strip()).removeprefix("@")


def register(conn: sqlite3.Connection) -> None:
    """Make `callsheet_handle_key(handle)` available to the schema's triggers on `conn`."""
    conn.create_function(SQL_FUNCTION, 1, _sql_key, deterministic=True)


def _sql_key(handle: object) -> str | None:
    return handle_key(handle) if isinstance(handle, str) else None


def unique_keys(rows: list[tuple[int, str]]) -> tuple[list[tuple[str, int]], list[tuple[int, str, str]]]:
    """Keys for (id, handle) rows in id order, and the renames that make them unique.

    The first row of a key keeps its handle; each later one becomes `handle-2`,
    `handle-3`, … (the first whose key no row has). Returns ([(key, id)], [(id, old, new)]).
    """
    taken = {handle_key(handle) for _, handle in rows}
    kept: set[str] = set()
    keyed: list[tuple[str, int]] = []
    renamed: list[tuple[int, str, str]] = []
    for influencer_id, handle in rows:
        key = handle_key(handle)
        if key in kept:
            new_handle = _variant(handle, taken)
            renamed.append((influencer_id, handle, new_handle))
            key = handle_key(new_handle)
            taken.add(key)
        kept.add(key)
        keyed.append((key, influencer_id))
    return keyed, renamed


def _variant(handle: str, taken: set[str]) -> str:
    number = 2
    while handle_key(f"{handle}-{number}") in taken:
        number += 1
    return f"{handle}-{number}"
