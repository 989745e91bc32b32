"""What a database file is: missing, a demo the demo command made, or someone's real workspace."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from enum import Enum
from pathlib import Path

from store.database import Database

DEMO_KEY = "made_by"
DEMO_VALUE = "callsheet demo"
# What a rebuilt demo loses, as (table, singular, plural) for the sentence that says so.
CONTENTS = (("influencers", "influencer", "influencers"), ("campaigns", "campaign", "campaigns"),
            ("applications", "application", "applications"), ("messages", "message", "messages"),
            ("notes", "note", "notes"), ("audit_events", "recorded change", "recorded changes"))


class Kind(Enum):
    MISSING = "missing"
    DEMO = "demo"
    OTHER = "other"


def mark_demo(db: Database) -> None:
    """Record, inside the file, that the demo made this workspace (in the caller's transaction)."""
    db.conn.execute("INSERT OR REPLACE INTO workspace_meta (key, value) VALUES (?, ?)",
                    (DEMO_KEY, DEMO_VALUE))


def kind_of(path: Path) -> Kind:
    """Look at `path` without migrating or writing it."""
    if not path.exists():
        return Kind.MISSING
    try:
        with closing(sqlite3.connect(path)) as conn:
            conn.execute("PRAGMA query_only = ON")
            row = conn.execute("SELECT value FROM workspace_meta WHERE key = ?", (DEMO_KEY,)).fetchone()
    except sqlite3.Error:
        return Kind.OTHER  # not a database, or one from before the marker: never the demo's
    return Kind.DEMO if row and row[0] == DEMO_VALUE else Kind.OTHER


def contents(db: Database) -> dict[str, int]:
    """How many rows of each kind of record the workspace holds."""
    tables = set(db.table_names())
    return {table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table, _, _ in CONTENTS if table in tables}
