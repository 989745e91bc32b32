"""The daemon's chores that belong to other parts: pipeline upkeep, reply sync and dispatch.

Each returns the log lines of what it did. Sync and dispatch are skipped (None) when
their server is not configured, so a daemon without IMAP still plans and sends.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable

from mailer.actions.pipeline import housekeeping
from mailer.config import load_config
from mailer.dispatch.dispatcher import Dispatcher
from mailer.imap import config as imap_config
from mailer.imap.sync import sync
from store.db import Store
from store.wording import plural

Chore = Callable[[Store], list[str]]
DAEMON_ACTOR = "callsheet-run"


def upkeep_chore(store: Store) -> list[str]:
    """Close campaigns at their closing time and expire overdue agreements (with their emails)."""
    done = housekeeping(store, DAEMON_ACTOR)
    lines = [f"close {name}: its closing time has passed" for name in done["closed"]]
    if done["expired"]:
        lines.append(f"expire: {plural(len(done['expired']), 'agreement')} past their deadline")
    return lines


def dispatch_chore(batch: int) -> Chore | None:
    """Send what is due, at most `batch` per call (None when no SMTP server is configured)."""
    if load_config().smtp is None:
        return None

    def dispatch(store: Store) -> list[str]:
        # The daemon settles sequences and retimes as chores of its own, just before this one.
        dispatcher = Dispatcher(store, load_config(), prepare=None)
        report = asyncio.run(dispatcher.run_until_empty(limit=batch))
        counts = {"sent": report.sent, "deferred": report.deferred, "failed": report.failed,
                  "skipped": report.skipped}
        lines = ["dispatch: " + ", ".join(f"{n} {name}" for name, n in counts.items() if n)]
        lines = lines if any(counts.values()) else []
        lines += [f"dispatch: paused {name}" for name in report.paused]
        if report.halted:
            lines.append(f"dispatch: halted: {report.halted}")
        return lines

    return dispatch


def sync_chore() -> Chore | None:
    """Pull replies over IMAP (None when no IMAP server is configured)."""
    if not (os.environ.get(imap_config.ENV_URL, "").strip() or imap_config.read_config().get("url")):
        return None

    def pull(store: Store) -> list[str]:
        report = sync(store)
        if not report.fetched:
            return []
        unsubscribed = f", {report.unsubscribes} unsubscribed" if report.unsubscribes else ""
        return [f"sync: {report.fetched} fetched, {report.matched} matched{unsubscribed}"]

    return pull
