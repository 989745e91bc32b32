"""The row id an INSERT made, typed: sqlite3 types `lastrowid` as optional for every statement."""

from __future__ import annotations

import sqlite3


def inserted_id(cursor: sqlite3.Cursor) -> int:
    """The id of the row the cursor's INSERT just added (sqlite3 leaves None only before any)."""
    row_id = cursor.lastrowid
    if row_id is None:
        raise RuntimeError("the statement inserted no row")
    return row_id
