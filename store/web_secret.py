"""The pages' form secret: random bytes made once per workspace and kept in `settings`.

Every `callsheet serve` on the same database signs and checks form tokens with it, so a
page served by one process can be submitted to another, and a restart keeps open forms valid.
"""

from __future__ import annotations

import secrets

from store.db import Store

SETTING = "web:form_secret"


def form_secret(store: Store) -> bytes:
    """The workspace's form secret, made on first use (two processes racing agree on the first one)."""
    row = store.reader().execute("SELECT value FROM settings WHERE key = ?", (SETTING,)).fetchone()
    if row is None:
        with store.write() as db:
            db.conn.execute("INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)",
                            (SETTING, secrets.token_bytes(32).hex()))
            row = db.execute("SELECT value FROM settings WHERE key = ?", (SETTING,)).fetchone()
    return bytes.fromhex(str(row[0]))
