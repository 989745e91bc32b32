"""`callsheet run`: the loop that plans, sequences, retimes, dispatches, syncs and tidies up.

Each pass re-reads the clock, holds the `daemon` lease (so several daemons on one
file do no double work: the others stand by), and runs every chore as its own
transaction(s), logging one line per action. A stop request (SIGTERM/SIGINT sets
the event) is honoured between chores, so nothing is left half-done.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from mailer.chores import Chore, dispatch_chore, sync_chore, upkeep_chore
from mailer.outreach import planner, retime, sequence
from mailer.templating.drafting import Renderer
from store import leases, outreach
from store.campaigns import zone
from store.clock import iso
from store.db import Store
from store.errors import UserError
from store.outreach_rules import schedule

LEASE = "daemon"
# Sending paces itself, renews leases and backs off on the live clock; every other chore reads
# the time once, so what it did and the stamp of its log line agree even if the clock moves.
LIVE_CLOCK_CHORES = frozenset({"dispatch"})


@dataclass(frozen=True)
class DaemonSettings:
    """How the daemon paces itself."""

    plan_hour: int = 17
    interval: float = 15.0
    lease_seconds: int = 60
    dispatch_batch: int = 100


def plan_due(store: Store, now: datetime, plan_hour: int, renderer: Renderer | None = None) -> list[str]:
    """From `plan_hour` local time on, plan each open campaign's next window day (once)."""
    targets = []
    for campaign in outreach.open_campaigns(store.reader()):
        tz = zone(campaign.timezone)
        local = now.astimezone(tz)
        target = schedule.next_window_day(local.date(), campaign.windows, tz)
        if local.hour >= plan_hour and target and not outreach.plan_run(store.reader(), campaign.id,
                                                                          target.isoformat()):
            targets.append((campaign, target))
    if not targets:
        return []
    results = planner.plan_days(store, targets, renderer or Renderer.default(), now)
    # An empty day is in the audit trail; the log keeps to what will be sent.
    return [f"plan {r.campaign} {r.day}: {r.planned} planned, {r.flagged} flagged"
            + (f" ({r.note})" if r.note else "") for r in results if r.planned]


class Daemon:
    """One `callsheet run` process."""

    def __init__(self, store: Store, settings: DaemonSettings, *, log: Callable[[str], None],
                 stop: threading.Event | None = None, renderer: Renderer | None = None,
                 chores: list[tuple[str, Chore | None]] | None = None) -> None:
        self.store, self.settings, self.log = store, settings, log
        self.stop = stop or threading.Event()
        self.renderer = renderer
        self.me = leases.Holder.this_process(uuid.uuid4().hex)
        self.chores = chores if chores is not None else self.default_chores()
        self._last_error: dict[str, str] = {}
        self._standing_by = False

    def default_chores(self) -> list[tuple[str, Chore | None]]:
        """Replies first (they stop follow-ups); retime before planning, so moved mail counts against
        the day's cap; sending last, when everything due is in order."""
        return [
            ("sync", sync_chore()),
            ("upkeep", upkeep_chore),
            ("sequence", lambda store: sequence.advance(store, renderer=self.renderer)),
            ("retime", retime.sweep),
            ("plan", lambda store: plan_due(store, store.clock.now(), self.settings.plan_hour,
                                            self.renderer)),
            ("dispatch", dispatch_chore(self.settings.dispatch_batch)),
        ]

    def run(self, *, once: bool = False) -> None:
        missing = [name for name, chore in self.chores if chore is None]
        self.emit(f"start pid {self.me.pid}, plan hour {self.settings.plan_hour}:00 local"
                  + (f"; not configured: {', '.join(missing)}" if missing else ""))
        try:
            while not self.stop.is_set():
                self.tick()
                if once:
                    break
                self.stop.wait(self.settings.interval)
        finally:
            with self.store.write() as db:
                leases.give_up(db, LEASE, self.me)
            self.emit("stopped")

    def tick(self) -> bool:
        """One pass over the chores; False when another daemon holds the lease."""
        try:
            leading = self._lead()
        except Exception as error:  # noqa: BLE001 - a busy or full disk must not end the daemon
            self._error("lease", f"{type(error).__name__}: {error}")
            return False
        if not leading:
            return False
        for name, chore in self.chores:
            if self.stop.is_set():
                return True
            if chore is None:
                continue
            if name in LIVE_CLOCK_CHORES:
                self._run_chore(name, chore)
                continue
            with self.store.clock.held():
                self._run_chore(name, chore)
        return True

    def _lead(self) -> bool:
        ttl = timedelta(seconds=self.settings.lease_seconds)
        with self.store.write() as db:
            leading = leases.take(db, LEASE, self.me, self.store.clock.now(), ttl)
        if not leading and not self._standing_by:
            held = leases.current(self.store.writer, LEASE) or {}
            self.emit(f"standby: another daemon holds the lease ({held.get('host')} pid {held.get('pid')})")
        elif leading and self._standing_by:
            self.emit("lead: took over the lease")
        self._standing_by = not leading
        return leading

    def _run_chore(self, name: str, chore: Chore) -> None:
        try:
            lines = chore(self.store)
        except UserError as error:
            self._error(name, str(error))
            return
        except Exception as error:  # noqa: BLE001 - one failing chore must not stop the others
            self._error(name, f"{type(error).__name__}: {error}")
            return
        self._last_error.pop(name, None)
        for line in lines:
            self.emit(line)

    def _error(self, name: str, sentence: str) -> None:
        if self._last_error.get(name) != sentence:  # say it once, not every pass
            self.emit(f"{name}: {sentence}")
            self._last_error[name] = sentence

    def emit(self, line: str) -> None:
        self.log(f"{iso(self.store.clock.now())} {line}")
