"""The benchmarks' workloads, built deterministically (fixed seeds) with executemany in big transactions.

`build_feel` makes the workload of issue 15 (influencers, messages, applications, a Moderation queue);
`cached` keeps it in a file keyed by `VERSION` so a run builds it once. Run
`uv run python -m tests.bench.workload PATH [--quick]` to build one file.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from store.clock import Clock, from_iso, iso
from store.db import Store
from store.schema import INBOX_TRIGGERS, rebuild_inbox

NOW = "2026-11-23T10:00:00+00:00"
VERSION = 1  # bump when the workload changes: the cached files are keyed by it
CACHE = Path("/tmp/callsheet-bench")
STAGES = ["invited", "to review", "ineligible", "shortlisted", "declined", "in campaign", "rejected"]
COMMON = "casting"  # in a fifth of all messages: the "search" case
WORDS = [f"w{n}" for n in range(3000)]
MESSAGE_COLUMNS = ("influencer_id, campaign_id, direction, kind, status, is_read, subject, body, message_id, "
                   "sent_at, created_at, updated_at")


@dataclass(frozen=True)
class Size:
    """How much of everything: the issue's workload, or a tenth of it for a smoke test."""

    influencers: int = 100_000
    messages: int = 1_000_000
    campaigns: int = 20
    first_campaign: int = 100_000  # applications in the campaign the app opens first
    other_applications: int = 50_000  # spread over the other campaigns
    planned: int = 5_000  # invitations waiting in the Moderation queue

    def scaled(self, divisor: int) -> Size:
        return Size(self.influencers // divisor, self.messages // divisor, self.campaigns,
                    self.first_campaign // divisor, self.other_applications // divisor,
                    self.planned // divisor)


FULL, QUICK = Size(), Size().scaled(10)


def insert_influencers(store: Store, rng: random.Random, count: int) -> None:
    """`count` influencers h0… with lognormal followers, an engagement rate, a country, 1% bookmarked."""
    with store.write() as db:
        db.conn.executemany(
            """INSERT INTO influencers (handle, name, first_name, email, followers, engagement_rate, country,
                   language, bookmarked, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)""",
            [(f"h{n}", f"Name {n}", "Ana", f"h{n}@x.example", int(rng.lognormvariate(9.5, 1.4)),
              rng.uniform(0.4, 9), rng.choice(["FR", "BE", "US", "DE"]), "fr", int(rng.random() < 0.01),
              NOW, NOW) for n in range(count)])


def insert_campaigns(store: Store, count: int) -> None:
    """Campaigns c0… (ids 1…); campaign 1 is the newest, so the app opens it first."""
    start = from_iso(NOW)
    with store.write() as db:
        db.conn.executemany(
            """INSERT INTO campaigns (name, budget, sender_email, created_at, updated_at)
               VALUES (?, 100000, ?, ?, ?)""",
            [(f"c{k}", f"c{k}@brand.example", iso(start - timedelta(days=k)), NOW) for k in range(count)])


def insert_applications(store: Store, rng: random.Random, size: Size) -> None:
    """`size.first_campaign` applications in campaign 1 at every stage, the rest spread over the others."""
    start = from_iso(NOW)
    with store.write() as db:
        db.conn.executemany(
            """INSERT INTO applications (influencer_id, campaign_id, source, stage, fee, created_at,
                   updated_at) VALUES (?, 1, ?, ?, ?, ?, ?)""",
            [(n + 1, rng.choice(["invited", "applied"]), rng.choice(STAGES), rng.choice([None, 150, 300]),
              iso(start - timedelta(minutes=n)), iso(start - timedelta(minutes=n)))
             for n in range(size.first_campaign)])
        pairs = rng.sample(range(size.influencers * (size.campaigns - 1)), size.other_applications)
        db.conn.executemany(
            """INSERT INTO applications (influencer_id, campaign_id, source, stage, created_at, updated_at)
               VALUES (?, ?, 'invited', 'invited', ?, ?)""",
            [(1 + pair % size.influencers, 2 + pair // size.influencers, NOW, NOW) for pair in pairs])


def message_rows(rng: random.Random, size: Size, count: int, prefix: str = "m") -> Iterator[tuple]:
    """Mail in both directions over eleven months; a fifth of it mentions `COMMON`."""
    for n in range(count):
        inbound = rng.random() < 0.3
        day, hour = f"2026-{rng.randint(1, 11):02d}-{rng.randint(10, 28)}", rng.randint(0, 23)
        at = f"{day}T{hour:02d}:00:{n % 60:02d}+00:00"
        words = rng.choices(WORDS, k=rng.randint(8, 20))
        if rng.random() < 0.2:
            words.insert(rng.randint(0, len(words)), COMMON)
        yield (rng.randint(1, size.influencers), rng.randint(1, size.campaigns), "in" if inbound else "out",
               "reply" if inbound else "invitation", None if inbound else "sent",
               int(not inbound or rng.random() < 0.8), f"Subject {rng.choice(WORDS)}", " ".join(words),
               f"<{prefix}{n}@bench.example>", None if inbound else at, at, at)


def insert_messages(store: Store, rows: Iterator[tuple]) -> None:
    """Insert mail with the summary and FTS triggers off, then rebuild both as the migration does."""
    with store.write() as db:
        for statement in INBOX_TRIGGERS:
            db.conn.execute(f"DROP TRIGGER {statement.split()[2]}")
        db.conn.executemany(f"INSERT INTO messages ({MESSAGE_COLUMNS}) VALUES ({', '.join('?' * 12)})", rows)
        rebuild_inbox(db)
        for statement in INBOX_TRIGGERS:
            db.conn.execute(statement)


def insert_planned(store: Store, rng: random.Random, size: Size) -> None:
    """Tomorrow's Moderation queue: `size.planned` invitations planned over the campaigns' senders."""
    chosen = rng.sample(range(1, size.influencers + 1), size.planned)
    with store.write() as db:
        db.conn.executemany(
            """INSERT INTO messages (influencer_id, campaign_id, direction, kind, language, from_addr,
                   to_addr, subject, body, status, scheduled_at, plan_date, created_at, updated_at)
               VALUES (?, ?, 'out', 'invitation', 'fr', ?, ?, ?, ?, 'planned', ?, '2026-11-24', ?, ?)""",
            [(influencer, 1 + n % size.campaigns, f"c{n % size.campaigns}@brand.example",
              f"h{influencer - 1}@x.example", f"Casting c{n % size.campaigns}",
              "Bonjour Ana, partante pour le casting ?", f"2026-11-24T{9 + n % 8:02d}:{n % 60:02d}:00+00:00",
              NOW, NOW) for n, influencer in enumerate(chosen)])


def build_feel(path: Path, size: Size = FULL) -> None:
    """Fill a new database with the workload of issue 15, then ANALYZE."""
    store = Store(path, Clock.fixed(NOW), actor="bench")
    insert_influencers(store, random.Random(1), size.influencers)
    insert_campaigns(store, size.campaigns)
    insert_applications(store, random.Random(3), size)
    insert_messages(store, message_rows(random.Random(2), size, size.messages))
    insert_planned(store, random.Random(4), size)
    store.writer.execute("ANALYZE")
    store.writer.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()


def cached(quick: bool = False) -> Path:
    """The workload's file, built once per `VERSION` (written aside, then renamed into place)."""
    path = CACHE / f"feel-v{VERSION}-{'quick' if quick else 'full'}.db"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".building")
        for leftover in CACHE.glob(f"{partial.name}*"):
            leftover.unlink()
        started = time.perf_counter()
        build_feel(partial, QUICK if quick else FULL)
        partial.rename(path)
        print(f"built {path} in {time.perf_counter() - started:.0f} s")
    return path


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a tenth of the workload")
    print(cached(parser.parse_args().quick))
