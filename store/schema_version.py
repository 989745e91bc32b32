"""Whether a database has every migration, answered without loading the migrations.

`store.schema` holds the migrations as sqlite-utils' `Migrations`, and importing sqlite-utils is a
tenth of the app's cold start; nearly every open finds nothing to do. So the open counts the applied
migrations (one indexed read) and loads `store.schema` only when some are missing.
`tests/test_store_db.py` keeps `MIGRATIONS` equal to the number of migrations defined.
"""

from __future__ import annotations

from store.database import Database

MIGRATION_SET = "callsheet"
MIGRATIONS = 23  # add one with each migration appended to store/schema.py


def applied(db: Database) -> int:
    """How many of our migrations the database records as applied (0 for a new file)."""
    exists = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlite_migrations'")
    if exists.fetchone() is None:
        return 0
    return db.execute("SELECT count(*) FROM _sqlite_migrations WHERE migration_set = ?",
                      [MIGRATION_SET]).fetchone()[0]


def migrate(db: Database, now: str) -> None:
    """Apply the pending migrations, if any (the caller holds the write transaction)."""
    if applied(db) >= MIGRATIONS:
        return
    from store import schema  # sqlite-utils and every migration: only for a database behind

    schema.migrate(db, now)
