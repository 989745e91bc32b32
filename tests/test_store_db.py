"""The database file: creation, pragmas, migrations and the write discipline."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import sqlite_utils

from store.clock import Clock
from store.db import Store
from store.schema import migrations
from store.schema_version import MIGRATIONS, applied


def test_new_database_is_private_and_in_wal(db_path: Path, clock: Clock) -> None:
    old = os.umask(0)
    try:
        store = Store(db_path, clock, actor="tester")
    finally:
        os.umask(old)
    assert stat.S_IMODE(db_path.stat().st_mode) == 0o600
    db = store.reader()
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.writer.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert store.writer.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    assert store.writer.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    store.close()


def test_existing_file_keeps_its_mode(db_path: Path, clock: Clock) -> None:
    Store(db_path, clock).close()
    db_path.chmod(0o660)
    Store(db_path, clock).close()
    assert stat.S_IMODE(db_path.stat().st_mode) == 0o660


def test_every_entity_has_a_table(store: Store) -> None:
    names = set(store.reader().table_names())
    assert {"operators", "influencers", "campaigns", "segments", "applications", "messages",
            "templates", "triggers", "audit_events", "notes"} <= names


def test_migrations_are_recorded_once(db_path: Path, clock: Clock) -> None:
    Store(db_path, clock).close()
    Store(db_path, clock).close()
    store = Store(db_path, clock)
    applied = [m.name for m in migrations.applied(sqlite_utils.Database(store.reader().conn))]
    assert applied == [m.name for m in migrations._migrations]
    assert len(applied) == len(set(applied))
    store.close()


def test_an_older_database_is_migrated(db_path: Path, clock: Clock) -> None:
    """A file made by the first release gains every later migration, data intact."""
    from sqlite_utils import Database

    conn = sqlite3.connect(db_path, isolation_level=None)
    db = Database(conn)
    migrations.apply(db, stop_before=[m.name for m in migrations._migrations[1:]] or None)
    conn.execute("INSERT INTO influencers (handle, created_at, updated_at) VALUES ('old', 'x', 'x')")
    conn.close()
    store = Store(db_path, clock)
    assert [m.name for m in migrations.pending(sqlite_utils.Database(store.reader().conn))] == []
    assert store.reader().execute("SELECT handle FROM influencers").fetchall() == [("old",)]
    store.close()


def test_the_open_knows_how_many_migrations_there_are(store: Store) -> None:
    # The open skips loading the migrations when this many are applied: one appended to
    # store/schema.py without counting it here would never run on an existing database.
    assert len(migrations._migrations) == MIGRATIONS
    assert applied(store.reader()) == MIGRATIONS


def test_a_database_one_migration_behind_gets_it_on_open(db_path: Path, clock: Clock) -> None:
    last = migrations._migrations[-1].name
    conn = sqlite3.connect(db_path, isolation_level=None)
    migrations.apply(sqlite_utils.Database(conn), stop_before=last)
    conn.close()
    store = Store(db_path, clock)
    assert applied(store.reader()) == MIGRATIONS
    assert [m.name for m in migrations.pending(sqlite_utils.Database(store.reader().conn))] == []
    store.close()


def test_a_failed_write_changes_nothing(store: Store) -> None:
    with pytest.raises(RuntimeError), store.write() as db:
        db.conn.execute("INSERT INTO settings VALUES ('a', 'b')")
        raise RuntimeError("boom")
    assert store.reader().execute("SELECT count(*) FROM settings").fetchone()[0] == 0


def test_nested_writes_roll_back_to_their_savepoint(store: Store) -> None:
    with store.write() as db:
        db.conn.execute("INSERT INTO settings VALUES ('outer', '1')")
        with pytest.raises(ValueError), store.write() as inner:
            inner.conn.execute("INSERT INTO settings VALUES ('inner', '1')")
            raise ValueError
    keys = [r[0] for r in store.reader().execute("SELECT key FROM settings")]
    assert keys == ["outer"]


def test_a_failed_commit_is_rolled_back_and_the_next_write_stands_alone(store: Store) -> None:
    """COMMIT itself fails (a deferred foreign key): the writer must not stay inside that transaction."""
    with store.write() as db:
        db.execute("CREATE TABLE parent (id INTEGER PRIMARY KEY)")
        db.execute("CREATE TABLE child (parent_id INTEGER REFERENCES parent(id))")
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"), store.write() as db:
        db.execute("PRAGMA defer_foreign_keys = ON")
        db.execute("INSERT INTO child VALUES (99)")
    assert not store.writer.conn.in_transaction
    with store.write() as db:
        db.execute("INSERT INTO parent VALUES (1)")
    assert not store.writer.conn.in_transaction
    other = sqlite3.connect(store.path)
    assert other.execute("SELECT count(*) FROM parent").fetchone() == (1,), "committed, not a savepoint"
    assert other.execute("SELECT count(*) FROM child").fetchone() == (0,)
    other.close()


def test_audit_trail_is_append_only(store: Store) -> None:
    from store import audit

    with store.write() as db:
        audit.record(db, at=store.now_iso(), actor="tester", action="x", entity="y")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"), store.write() as db:
        db.conn.execute("DELETE FROM audit_events")


def test_first_login_becomes_manager_others_are_viewers(db_path: Path, clock: Clock) -> None:
    from store import operators

    store = Store(db_path, clock, actor="alice")
    assert operators.role_of(store.reader(), "alice") == "manager"
    assert operators.role_of(store.reader(), "bob") == "viewer"
    store.close()


WRITER = """
import sys
from store.db import Store
store = Store(sys.argv[1], actor="w")
for n in range(int(sys.argv[3])):
    with store.write() as db:
        count = db.execute("SELECT count(*) FROM settings").fetchone()[0]
        db.conn.execute("INSERT INTO settings VALUES (?, ?)", (f"{sys.argv[2]}-{n}", str(count)))
"""


def test_two_writer_processes_never_see_locked(db_path: Path, clock: Clock) -> None:
    """Read-then-write transactions from two processes at once: no 'database is locked'."""
    Store(db_path, clock).close()
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(db_path), name, "300"],
                              stderr=subprocess.PIPE, text=True) for name in ("a", "b")]
    errors = [p.communicate(timeout=60)[1] for p in procs]
    assert all(p.returncode == 0 for p in procs), errors
    store = Store(db_path, clock)
    assert store.reader().execute("SELECT count(*) FROM settings").fetchone()[0] == 600
    store.close()
