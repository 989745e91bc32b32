"""The daemon's chores that belong to other parts (dispatch, reply sync, pipeline upkeep).

Each is found at run time, so the daemon works whichever parts are installed, and
returns the log lines of what it did.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from store import upkeep
from store.db import Store

Chore = Callable[[Store], list[str]]
DAEMON_ACTOR = "callsheet-run"


def upkeep_chore(store: Store) -> list[str]:
    """Close campaigns at their closing time and expire overdue agreements."""
    try:
        from mailer.pipeline import housekeeping
    except ImportError:
        housekeeping = None
    if housekeeping is not None:
        done = housekeeping(store, DAEMON_ACTOR)
        closed, expired = list(done.get("closed", [])), len(done.get("expired", []))
    else:
        with store.write() as db:
            closed = upkeep.close_due_campaigns(db, now=store.now_iso(), actor=DAEMON_ACTOR)
            expired = upkeep.expire_agreements(db, now=store.now_iso(), actor=DAEMON_ACTOR)
    lines = [f"close {name}: its closing time has passed" for name in closed]
    if expired:
        lines.append(f"expire: {expired} agreement(s) past their deadline")
    return lines


def dispatch_chore(batch: int) -> Chore | None:
    """Send what is due through `mailer.dispatcher`, at most `batch` per call (None: not installed)."""
    try:
        from mailer.config import load_config
        from mailer.dispatcher import Dispatcher
    except ImportError:
        return None

    def dispatch(store: Store) -> list[str]:
        dispatcher = Dispatcher(store, load_config())
        report = asyncio.run(dispatcher.run_until_empty(limit=batch))
        counts = {name: getattr(report, name, 0) for name in ("sent", "deferred", "failed", "skipped")}
        lines = ["dispatch: " + ", ".join(f"{count} {name}" for name, count in counts.items() if count)]
        lines = lines if any(counts.values()) else []
        lines += [f"dispatch: paused {name}" for name in getattr(report, "paused", [])]
        if getattr(report, "halted", None):
            lines.append(f"dispatch: halted: {report.halted}")
        return lines

    return dispatch


def sync_chore() -> Chore | None:
    """Pull replies over IMAP through `mailer.sync` (None: not installed)."""
    try:
        from mailer.sync import sync
    except ImportError:
        return None

    def pull(store: Store) -> list[str]:
        report = sync(store)
        fetched = getattr(report, "fetched", 0)
        return [f"sync: {fetched} fetched, {getattr(report, 'matched', 0)} matched"] if fetched else []

    return pull
