"""Opening the database and running transactions the way SQLite likes under load.

One writer at a time, in short `BEGIN IMMEDIATE` transactions (a deferred `BEGIN`
that later upgrades to a write lock is what produced "database is locked" under
two writers here), and a read connection per thread so readers never wait on the
writer or block the UI thread.
"""

from __future__ import annotations

import itertools
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from store import handles, operators
from store.clock import Clock
from store.database import Database
from store.errors import UserError
from store.schema_version import migrate

BUSY_TIMEOUT_MS = 10_000
_savepoints = itertools.count()


def _connect(path: Path) -> sqlite3.Connection:
    # isolation_level=None: no implicit BEGINs; transactions are ours alone.
    conn = sqlite3.connect(
        path, isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000
    )
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = NORMAL")
    handles.register(conn)
    return conn


def _create_private(path: Path) -> None:
    """Create the file 0600 before SQLite does, so it is never readable by others."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    os.close(fd)


class Store:
    """The callsheet database: a path, a clock, a writer and per-thread readers."""

    def __init__(
        self, path: Path | str, clock: Clock | None = None, actor: str | None = None
    ) -> None:
        self.path = Path(path)
        self.clock = clock or Clock.from_env()
        self.actor = actor or operators.current_login()
        self._claimed = actor is None and operators.claimed_login() is not None
        self._write_lock = threading.RLock()
        self._local = threading.local()
        self._all_conns: list[sqlite3.Connection] = []
        self._mail_listeners: list[Callable[[], None]] = []
        self._writer = self._open_writer()

    def _open_writer(self) -> Database:
        existed = self.path.exists()
        if not existed:
            _create_private(self.path)
        try:
            conn = _connect(self.path)
            conn.execute("PRAGMA journal_mode = WAL")
        except sqlite3.DatabaseError as error:
            raise UserError(f"Cannot open the database {self.path}: {error}.") from None
        self._all_conns.append(conn)
        db = Database(conn)
        try:
            with _immediate(conn):
                migrate(db, self.clock.now_iso())
                operators.bootstrap(db, self.actor, self.clock.now_iso())
                if self._claimed:
                    operators.check_acting_as(db, self.actor, self.path)
        except UserError:
            self.close()
            raise
        return db

    @contextmanager
    def write(self) -> Iterator[Database]:
        """A `BEGIN IMMEDIATE` transaction; nested calls become savepoints."""
        with self._write_lock, _immediate(self._writer.conn):
            yield self._writer

    @property
    def writer(self) -> Database:
        """The writer connection, for reads that must see this process's own writes."""
        return self._writer

    def reader(self) -> Database:
        """This thread's read connection (WAL: never blocked by the writer)."""
        db = getattr(self._local, "db", None)
        if db is None:
            conn = _connect(self.path)
            conn.execute("PRAGMA query_only = ON")
            self._all_conns.append(conn)
            db = Database(conn)
            self._local.db = db
        return db

    def now_iso(self) -> str:
        return self.clock.now_iso()

    def require(self, action: str) -> None:
        """Refuse `action` unless this store's actor may do it."""
        operators.require(self._writer, self.actor, action)

    def may(self, action: str) -> bool:
        """Whether this store's actor may do `action` (for what runs by itself, as the app's dispatcher)."""
        return operators.may(self.reader(), self.actor, action)

    def on_mail_queued(self, listener: Callable[[], None]) -> None:
        """Call `listener` (from any thread) whenever an action has committed mail that is due now."""
        self._mail_listeners.append(listener)

    def mail_queued(self) -> None:
        """Tell the listeners (the app's dispatcher) that due mail was just committed."""
        for listener in self._mail_listeners:
            listener()

    def close(self) -> None:
        for conn in self._all_conns:
            conn.close()
        self._all_conns.clear()


@contextmanager
def _immediate(conn: sqlite3.Connection) -> Iterator[None]:
    if conn.in_transaction:
        name = f"sp_{next(_savepoints)}"
        conn.execute(f"SAVEPOINT {name}")
        try:
            yield
        except BaseException:
            if conn.in_transaction:
                conn.execute(f"ROLLBACK TO SAVEPOINT {name}")
                conn.execute(f"RELEASE SAVEPOINT {name}")
            raise
        else:
            conn.execute(f"RELEASE SAVEPOINT {name}")
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
        # A COMMIT can fail too (busy, a deferred foreign key, a full disk) and SQLite then keeps
        # the transaction open: without the rollback every later write would nest inside it.
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
