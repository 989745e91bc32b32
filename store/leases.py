"""A named lease in `settings`: one holder at a time for work that must not run twice (the daemon).

Taken and renewed inside `BEGIN IMMEDIATE`, so two processes can never both believe
they hold it. It expires by the clock, and a holder on this host whose process is
gone loses it at once, whatever the clock says (a pinned or jumping clock never
keeps a dead daemon's lease alive).
"""

from __future__ import annotations

import json
import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from store.clock import from_iso, iso
from store.database import Database


@dataclass(frozen=True)
class Holder:
    """Who holds a lease: a token, this host and this process."""

    token: str
    host: str
    pid: int

    @classmethod
    def this_process(cls, token: str) -> Holder:
        return cls(token, socket.gethostname(), os.getpid())


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def current(db: Database, name: str) -> dict | None:
    row = db.execute("SELECT value FROM settings WHERE key = ?", (f"lease:{name}",)).fetchone()
    return json.loads(row[0]) if row else None


def take(db: Database, name: str, me: Holder, now: datetime, ttl: timedelta) -> bool:
    """Take or renew the lease; False while someone else holds it (call inside `store.write()`)."""
    held = current(db, name)
    if held and held["token"] != me.token:
        expired = from_iso(held["expires_at"]) <= now
        dead = held["host"] == me.host and not _alive(held["pid"])
        if not (expired or dead):
            return False
    value = {"token": me.token, "host": me.host, "pid": me.pid, "expires_at": iso(now + ttl)}
    db.conn.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)",
                    (f"lease:{name}", json.dumps(value)))
    return True


def give_up(db: Database, name: str, me: Holder) -> None:
    """Release the lease if we hold it."""
    held = current(db, name)
    if held and held["token"] == me.token:
        db.conn.execute("DELETE FROM settings WHERE key = ?", (f"lease:{name}",))
