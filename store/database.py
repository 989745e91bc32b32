"""The connection wrapper every store function takes: the four calls the store makes of sqlite-utils.

The store used `sqlite_utils.Database` for `execute`, `query`, `conn` and `table_names` alone, and
importing it cost a cold start about 75 ms (with python-dateutil, pluggy and the plugin lookup it
brings). This class does those calls as sqlite-utils does them, including the one setting it made
on every connection (`recursive_triggers`, which the triggers' upkeep relies on). sqlite-utils is
still what applies migrations, loaded only when a database has one pending (`store.schema_version`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any


class Database:
    """One SQLite connection, with rows as dicts from `query`."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        conn.execute("PRAGMA recursive_triggers=on;")

    def execute(self, sql: str, parameters: Any = None) -> sqlite3.Cursor:
        if parameters is None:
            return self.conn.execute(sql)
        return self.conn.execute(sql, parameters)

    def query(self, sql: str, params: Any = None) -> Iterator[dict[str, Any]]:
        """Each row as a dict keyed by column name, read lazily."""
        cursor = self.execute(sql, params or ())
        keys = [description[0] for description in cursor.description or ()]
        for row in cursor:
            yield dict(zip(keys, row, strict=True))

    def table_names(self) -> list[str]:
        return [row[0] for row in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]

    def close(self) -> None:
        self.conn.close()
