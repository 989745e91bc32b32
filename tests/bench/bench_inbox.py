"""The Inbox on the SPEC workload: 100,000 influencers, 1,000,000 messages, 20 campaigns.

Run: `uv run pytest tests/bench/bench_inbox.py -n 0 -s` (building the workload takes a few minutes;
set CALLSHEET_BENCH_INBOX_DB to a file to keep it between runs). Targets from the issue: the first
page of the inbox ≤ 100 ms, one timeline ≤ 50 ms, a full-text search ≤ 100 ms. Times are printed in
ms and as ratios to a reference measured in the same run (one LIKE scan of every influencer),
with each query plan.
"""

from __future__ import annotations

import os
import random
import time
from functools import partial
from pathlib import Path

from store import conversations, timeline
from store.clock import Clock
from store.conversations import InboxFilter
from store.db import Store
from store.schema import INBOX_TRIGGERS, rebuild_inbox

NOW = "2026-11-23T10:00:00+00:00"
INFLUENCERS, MESSAGES, CAMPAIGNS = 100_000, 1_000_000, 20
COMMON = "casting"  # in a fifth of all messages: the "search" case
WORDS = [f"w{n}" for n in range(3000)]
TARGETS_MS = {"first page": 100, "timeline": 50, "search": 100}


def _messages(rng: random.Random):
    for n in range(MESSAGES):
        inbound = rng.random() < 0.3
        day, hour = f"2026-{rng.randint(1, 11):02d}-{rng.randint(10, 28)}", rng.randint(0, 23)
        at = f"{day}T{hour:02d}:00:{n % 60:02d}+00:00"
        words = rng.choices(WORDS, k=rng.randint(8, 20))
        if rng.random() < 0.2:
            words.insert(rng.randint(0, len(words)), COMMON)
        yield (rng.randint(1, INFLUENCERS), rng.randint(1, CAMPAIGNS), "in" if inbound else "out",
               "reply" if inbound else "invitation", None if inbound else "sent",
               int(not inbound or rng.random() < 0.8), f"Subject {rng.choice(WORDS)}", " ".join(words),
               f"<m{n}@bench.example>", None if inbound else at, at, at)


def build(path: Path) -> float:
    """Fill a new database, then build the summaries and the FTS index as the migration does.

    Returns the cost per message of the write-path triggers, measured on 10,000 more inserts.
    """
    store, rng = Store(path, Clock.fixed(NOW), actor="bench"), random.Random(1)
    with store.write() as db:
        for statement in INBOX_TRIGGERS:
            db.conn.execute(f"DROP TRIGGER {statement.split()[2]}")
        db.conn.executemany(
            """INSERT INTO influencers (handle, name, first_name, email, followers, country, language,
                   bookmarked, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)""",
            [(f"h{n}", f"Name {n}", "Ana", f"h{n}@x.example", rng.randint(100, 10**6),
              rng.choice(["FR", "BE", "US", "DE"]), "fr", int(rng.random() < 0.01), NOW, NOW)
             for n in range(INFLUENCERS)])
        db.conn.executemany("INSERT INTO campaigns (name, created_at, updated_at) VALUES (?, ?, ?)",
                            [(f"c{k}", NOW, NOW) for k in range(CAMPAIGNS)])
        db.conn.executemany(
            """INSERT INTO messages (influencer_id, campaign_id, direction, kind, status, is_read, subject,
                   body, message_id, sent_at, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)""",
            _messages(rng))
        rebuild_inbox(db)
        for statement in INBOX_TRIGGERS:
            db.conn.execute(statement)
    db = store.writer
    db.execute("ANALYZE")
    start = time.perf_counter()
    with store.write() as db:
        db.conn.executemany(
            """INSERT INTO messages (influencer_id, campaign_id, direction, kind, status, is_read, subject,
                   body, message_id, sent_at, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)""",
            [(i, c, d, k, s, r, sub, body, f"<extra-{n}{mid}", sa, at, u)
             for n, (i, c, d, k, s, r, sub, body, mid, sa, at, u)
             in zip(range(10_000), _messages(random.Random(2)), strict=False)])
    per_message = (time.perf_counter() - start) / 10_000
    store.close()
    return per_message


def best_of(call, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return min(times)


def plan(db, sql: str, params) -> str:
    return "; ".join(row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {sql}", params).fetchall())


def test_inbox_bench(tmp_path_factory) -> None:
    path = Path(os.environ.get("CALLSHEET_BENCH_INBOX_DB") or tmp_path_factory.mktemp("bench") / "inbox.db")
    if not path.exists():
        per_message = build(path)
        print(f"\nwrite path: {per_message * 1e6:.0f} µs per message inserted with the summary and FTS "
              "triggers")
    store = Store(path, Clock.fixed(NOW), actor="bench")
    db = store.reader()
    scan = "SELECT count(*) FROM influencers WHERE name LIKE '%zz%'"
    reference = best_of(lambda: db.execute(scan).fetchall(), 3)
    print(f"\nreference: one LIKE scan of {INFLUENCERS:,} influencers = {reference * 1000:.1f} ms")
    busiest = db.execute("SELECT influencer_id FROM conversations WHERE campaign_id = 0 "
                         "ORDER BY total DESC LIMIT 1").fetchone()[0]
    page = partial(conversations.page, db, now=NOW, limit=100)
    cases = {
        "first page": lambda: page(InboxFilter()),
        "first page, one campaign": lambda: page(InboxFilter(campaign_id=7)),
        "first page, unread only": lambda: page(InboxFilter(unread_only=True)),
        "first page, bookmarked": lambda: page(InboxFilter(bookmarked=True)),
        "timeline": lambda: timeline.entries(db, 4242),
        "timeline, busiest influencer": lambda: timeline.entries(db, busiest),
        "timeline, one campaign": lambda: timeline.entries(db, 4242, 7),
        "search": lambda: page(InboxFilter(text=COMMON)),
        "search, rare word": lambda: page(InboxFilter(text="w2999")),
        "search, two words": lambda: page(InboxFilter(text="casting w17")),
        "search + query syntax": lambda: page(InboxFilter(text=COMMON, query="country:FR")),
    }
    results = {}
    for name, call in cases.items():
        results[name] = best_of(call)
        rows = len(call())
        print(f"{name:<32} {results[name] * 1000:8.2f} ms  {results[name] / reference:6.3f}x reference"
              f"  ({rows} rows)")
    for label, flt in (("first page", InboxFilter()), ("bookmarked", InboxFilter(bookmarked=True)),
                       ("search", InboxFilter(text=COMMON))):
        sql, params = conversations.page_sql(flt, now=NOW, limit=100)
        print(f"plan {label}: {plan(db, sql, params)}")
    print(f"plan timeline: {plan(db, 'SELECT * FROM messages m WHERE m.influencer_id = ?', [4242])}")
    store.close()
    for name, limit in TARGETS_MS.items():
        assert results[name] * 1000 <= limit * 3, f"{name} far over its {limit} ms target"
