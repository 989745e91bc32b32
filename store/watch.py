"""Noticing that another connection changed the database, without reading any table."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path


class DataVersion:
    """`PRAGMA data_version` on a private connection: it moves when any other connection commits."""

    def __init__(self, path: Path | str) -> None:
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA query_only = ON")
        self._lock = threading.Lock()
        self._closed = False
        self._seen = self._read()

    def _read(self) -> int:
        return self._conn.execute("PRAGMA data_version").fetchone()[0]

    def changed(self) -> bool:
        """True once after each change made elsewhere (other processes or this one's writer)."""
        with self._lock:
            current = self._read()
            if current == self._seen:
                return False
            self._seen = current
            return True

    def current(self) -> int:
        """The version now (it moves whenever another connection commits); `changed` is left as it was.

        -1 once closed, a version no count was made at."""
        with self._lock:
            return -1 if self._closed else self._read()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._conn.close()
