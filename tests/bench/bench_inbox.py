"""The Inbox on the SPEC workload: 100,000 influencers, 1,000,000 messages, 20 campaigns.

Run: `uv run pytest tests/bench/bench_inbox.py -n 0 -s` (building the workload takes a few minutes;
set CALLSHEET_BENCH_INBOX_DB to a file to keep it between runs). Targets from the issue: the first
page of the inbox ≤ 100 ms, one timeline ≤ 50 ms, a full-text search ≤ 100 ms. Times are printed in
ms (p50 and p95 of five runs) and as ratios to a reference measured in the same run (one LIKE scan
of every influencer), with each query plan.
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
from tests.bench.stats import runs
from tests.bench.workload import (
    COMMON,
    MESSAGE_COLUMNS,
    NOW,
    Size,
    insert_campaigns,
    insert_influencers,
    insert_messages,
    message_rows,
)

INFLUENCERS, MESSAGES, CAMPAIGNS = 100_000, 1_000_000, 20
TARGETS_MS = {"first page": 100, "timeline": 50, "search": 100}


def build(path: Path) -> float:
    """Fill a new database, then build the summaries and the FTS index as the migration does.

    Returns the cost per message of the write-path triggers, measured on 10,000 more inserts.
    """
    store, size = Store(path, Clock.fixed(NOW), actor="bench"), Size(INFLUENCERS, MESSAGES, CAMPAIGNS)
    insert_influencers(store, random.Random(1), INFLUENCERS)
    insert_campaigns(store, CAMPAIGNS)
    insert_messages(store, message_rows(random.Random(1), size, MESSAGES))
    store.writer.execute("ANALYZE")
    start = time.perf_counter()
    with store.write() as db:
        db.conn.executemany(f"INSERT INTO messages ({MESSAGE_COLUMNS}) VALUES ({', '.join('?' * 12)})",
                            list(message_rows(random.Random(2), size, 10_000, prefix="extra-")))
    per_message = (time.perf_counter() - start) / 10_000
    store.close()
    return per_message


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
    reference, _ = runs(lambda: db.execute(scan).fetchall(), 3)
    print(f"\nreference: one LIKE scan of {INFLUENCERS:,} influencers = p50 {reference * 1000:.1f} ms")
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
        p50, results[name] = runs(call)
        rows = len(call())
        print(f"{name:<32} p50 {p50 * 1000:8.2f} ms  p95 {results[name] * 1000:8.2f} ms  "
              f"p95 {results[name] / reference:6.3f}x reference p50  ({rows} rows)")
    for label, flt in (("first page", InboxFilter()), ("bookmarked", InboxFilter(bookmarked=True)),
                       ("search", InboxFilter(text=COMMON))):
        sql, params = conversations.page_sql(flt, now=NOW, limit=100)
        print(f"plan {label}: {plan(db, sql, params)}")
    print(f"plan timeline: {plan(db, 'SELECT * FROM messages m WHERE m.influencer_id = ?', [4242])}")
    store.close()
    for name, limit in TARGETS_MS.items():
        assert results[name] * 1000 <= limit * 3, f"{name} far over its {limit} ms target"
