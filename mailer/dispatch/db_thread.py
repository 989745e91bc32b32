"""The dispatcher's database work: one short transaction per call (mailer/dispatch/run_db.py runs them)."""

from __future__ import annotations

import sqlite3
import time
from datetime import timedelta

from mailer.config import Config
from mailer.dispatch.prebuild import prebuilt_bytes, settings_key
from store import attachment_mail
from store.clock import from_iso, iso
from store.database import Database
from store.db import Store
from store.outbox.claims import (
    Claim,
    add_sources,
    claim_batch,
    due_count,
    next_due_at,
    owner_is_dead,
    reclaim_dead,
    reclaim_expired,
    renew_leases,
    still_leased,
)
from store.outbox.gate import clear_backoff, load_backoff, save_backoff
from store.outbox.raw import purge_raw
from store.outbox.results import Completion, complete, defer_due, pause_campaign
from store.outbox.sent_log import SentLog, sweep

DEAD_OWNER_CHECK_SECONDS = 5.0
# WAL pages between checkpoints while dispatching (SQLite's default is 1,000). Each
# checkpoint costs two fsyncs (~5 ms each here) and writes back every page touched
# since the last; claims and completions rewrite the same few index pages over and
# over, so a longer interval writes back far fewer pages per message (measured:
# ~300 µs/message of checkpoint work at 1,000 pages, ~120 µs at 10,000).
DISPATCH_CHECKPOINT_PAGES = 10_000


class DispatchDb:
    """Claims, completions, leases and back-off for one dispatcher (owner) on one store.

    The dispatcher keeps two: one on the store it was given, run on its database thread
    (claims, which are prefetched, so their latency is hidden, and folds of the sent log),
    and one on a connection of its own that never waits for a lock, run inline on the event
    loop (appends to the sent log, and the rarer results that need a commit: no thread hop
    on the hot path); when that one finds the database busy, the call goes to the thread
    instead. Both share the dispatcher's sent log.
    """

    def __init__(self, store: Store, config: Config, owner: str, lease: timedelta) -> None:
        self.store = store
        self.config = config
        self.owner = owner
        self.lease = lease
        self.server = config.require_smtp().server_key
        self._dead_checked = float("-inf")
        # The dispatcher's sent log, shared by its two DispatchDb (see RunDb).
        self.log: SentLog | None = None

    def now_iso(self) -> str:
        return self.store.clock.now_iso()

    def start(self) -> tuple[int, tuple[int, float, str, str | None]]:
        """Take back dead and expired leases; return what is due and the server's stored back-off."""
        now = self.store.clock.now()
        with self.store.write() as db:
            self._reclaim(db, iso(now), force=True)
            failures, until, reply = load_backoff(db, self.server)
        sweep(self.store.reader(), owner_is_dead)
        left = (from_iso(until) - now).total_seconds() if until else 0.0
        return due_count(self.store.reader(), iso(now)), (failures, left, reply, until)

    def _reclaim(self, db: Database, now: str, *, force: bool = False) -> None:
        actor = self.store.actor
        reclaim_expired(db, now=now, actor=actor)
        if force or time.monotonic() - self._dead_checked > DEAD_OWNER_CHECK_SECONDS:
            self._dead_checked = time.monotonic()
            reclaim_dead(db, now=now, actor=actor)

    def claim(self, limit: int) -> Claim:
        """Lease up to `limit` due rows; those with bytes built under these settings get `bytes`,
        the others every column their bytes are built from."""
        now = self.store.clock.now()
        key = settings_key(self.config.dispatch)
        with self.store.write() as db:
            # Our own sends first: the reclaim then looks through fewer `sending` rows.
            folded = self._fold_log(db)
            self._reclaim(db, iso(now))
            claim = claim_batch(db, owner=self.owner, now=now, lease=self.lease, limit=limit)
            unbuilt = []
            for row in claim.rows:
                prebuilt = prebuilt_bytes(row, self.config.dispatch, key)
                row.pop("raw", None)
                if prebuilt is None:
                    unbuilt.append(row)
                else:
                    row["bytes"] = prebuilt
            if unbuilt:
                add_sources(db, unbuilt)
        # Their files are read outside the write lock: a rebuild never holds up other writers.
        attachment_mail.add_parts(self.store.reader(), unbuilt)
        self._log_folded(folded)
        return claim

    def _fold_log(self, db: Database) -> int | None:
        return self.log.fold(db)[1] if self.log is not None else None

    def _log_folded(self, end: int | None) -> None:
        if self.log is not None and end is not None:
            self.log.committed(end)

    def fold(self) -> None:
        """Record in `messages` what this dispatcher's sent log holds."""
        with self.store.write() as db:
            folded = self._fold_log(db)
        self._log_folded(folded)

    def log_sent(self, completions: list[Completion]) -> list[int]:
        """Append plain sends to the sent log; returns the row ids whose lease was no longer ours."""
        assert self.log is not None
        held = still_leased(self.store.reader(), [(done.row_id, done.token) for done in completions])
        now = self.now_iso()
        self.log.append((done.row_id, done.token, now, done.response or "")
                        for done in completions if done.row_id in held)
        return [done.row_id for done in completions if done.row_id not in held]

    def apply(self, completions: list[Completion]) -> list[int]:
        with self.store.write() as db:
            return complete(db, completions, now=self.now_iso(), actor=self.store.actor)

    def renew(self) -> None:
        with self.store.write() as db:
            renew_leases(db, owner=self.owner, expires=iso(self.store.clock.now() + self.lease))

    def defer_due(self, until: str, reply: str) -> int:
        with self.store.write() as db:
            return defer_due(db, now=self.now_iso(), until=until, response=reply)

    def next_due(self) -> str | None:
        return next_due_at(self.store.reader())

    def pause(self, campaign_id: int, reason: str) -> bool:
        with self.store.write() as db:
            return pause_campaign(db, campaign_id, reason, now=self.now_iso(), actor=self.store.actor)

    def purge(self) -> int:
        """Fold the sent log, then drop the bytes of finished messages."""
        with self.store.write() as db:
            folded = self._fold_log(db)
            purged = purge_raw(db)
        self._log_folded(folded)
        return purged

    def close_log(self) -> None:
        """Close the sent log, and delete it unless a lease of ours is still out (then its
        lines are folded by whoever takes those leases back)."""
        if self.log is None:
            return
        leased = self.store.reader().execute(
            "SELECT 1 FROM messages WHERE status = 'sending' AND lease_owner = ? LIMIT 1",
            [self.owner]).fetchone()
        self.log.close(remove=leased is None)
        self.log = None

    def save_backoff(self, failures: int, until: str, reply: str) -> None:
        with self.store.write() as db:
            save_backoff(db, self.server, failures, until, reply)

    def clear_backoff(self) -> None:
        with self.store.write() as db:
            clear_backoff(db, self.server)


def set_checkpoint_pages(store: Store, pages: int) -> int:
    """Set the writer connection's automatic checkpoint interval; returns the previous one."""
    with store.write() as db:
        previous = db.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
        db.conn.execute(f"PRAGMA wal_autocheckpoint = {int(pages)}")
    return previous


def is_busy(error: sqlite3.OperationalError) -> bool:
    text = str(error).lower()
    return "locked" in text or "busy" in text


def never_waiting(store: Store) -> Store:
    """A second connection to the same file whose writes fail at once instead of waiting."""
    inline = Store(store.path, store.clock, actor=store.actor)
    inline.writer.conn.execute("PRAGMA busy_timeout = 0")
    # Checkpoints (writing the WAL back, with an fsync) stay with the threaded connection.
    inline.writer.conn.execute("PRAGMA wal_autocheckpoint = 0")
    return inline

