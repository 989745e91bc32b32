"""The SMTP server's back-off, kept in `settings` so every dispatcher (and the next run) honours it."""

from __future__ import annotations

import json

from store.database import Database


def _key(server: str) -> str:
    return f"dispatch.server_backoff.{server}"


def load_backoff(db: Database, server: str) -> tuple[int, str | None, str]:
    """(consecutive failures, retry-not-before ISO time or None, the server's last words)."""
    row = db.execute("SELECT value FROM settings WHERE key = ?", [_key(server)]).fetchone()
    if row is None:
        return 0, None, ""
    state = json.loads(row[0])
    return int(state.get("failures", 0)), state.get("until"), state.get("reply", "")


def save_backoff(db: Database, server: str, failures: int, until: str, reply: str) -> None:
    db.conn.execute(
        "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)",
        [_key(server), json.dumps({"failures": failures, "until": until, "reply": reply})])


def clear_backoff(db: Database, server: str) -> None:
    db.conn.execute("DELETE FROM settings WHERE key = ?", [_key(server)])
