"""The pipeline's reads on 100,000 applications in one campaign: counters and the pane's pages.

Run: `uv run pytest tests/bench/bench_pipeline.py -n 0 -s` (building takes ~10 s). Times are printed
with the query plan and as ratios to a reference measured in the same run: a bare
`count(*)` of the campaign's applications through the (campaign_id, stage) index.
"""

from __future__ import annotations

import random
import time
from datetime import timedelta
from pathlib import Path

from store import campaigns, pipeline_view
from store.clock import Clock, from_iso, iso
from store.counters import COUNTERS_SQL, counters
from store.db import Store
from store.pipeline_view import View

NOW = "2026-11-23T10:00:00+00:00"
STAGES = ["invited", "to review", "ineligible", "shortlisted", "declined", "in campaign", "rejected"]
SIZE = 100_000


def build(path: Path) -> Store:
    store, rng = Store(path, Clock.fixed(NOW), actor="bench"), random.Random(3)
    start = from_iso(NOW)
    with store.write() as db:
        db.conn.executemany(
            """INSERT INTO influencers (handle, name, email, followers, engagement_rate, created_at,
                   updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)""",
            [(f"h{n}", f"Name {n}", f"h{n}@x.example", int(rng.lognormvariate(9.5, 1.4)),
              rng.uniform(0.4, 9), NOW, NOW) for n in range(SIZE)])
        db.conn.executemany(
            "INSERT INTO campaigns (name, budget, created_at, updated_at) VALUES (?, ?, ?, ?)",
            [(f"c{k}", 100_000, NOW, NOW) for k in range(20)])
        db.conn.executemany(
            """INSERT INTO applications (influencer_id, campaign_id, source, stage, fee, created_at,
                   updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)""",
            [(n + 1, 1, rng.choice(["invited", "applied"]), rng.choice(STAGES), rng.choice([None, 150, 300]),
              iso(start - timedelta(minutes=n)), iso(start - timedelta(minutes=n))) for n in range(SIZE)])
        # Nineteen other campaigns share the table, as in the SPEC workload.
        db.conn.executemany(
            """INSERT OR IGNORE INTO applications (influencer_id, campaign_id, source, stage, created_at,
                   updated_at) VALUES (?, ?, 'invited', 'invited', ?, ?)""",
            [(rng.randint(1, SIZE), rng.randint(2, 20), NOW, NOW) for _ in range(50_000)])
        db.conn.execute("ANALYZE")
    return store


def best_of(action, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def test_pipeline_reads_on_100k_applications(tmp_path: Path) -> None:
    store = build(tmp_path / "bench.db")
    db, now = store.reader(), from_iso(NOW)
    campaign = campaigns.get_by_id(db, 1)
    reference = best_of(lambda: db.execute(
        "SELECT count(*) FROM applications INDEXED BY applications_campaign_stage WHERE campaign_id = 1"
    ).fetchone())
    plan = " / ".join(row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {COUNTERS_SQL}", (1,)))
    numbers = counters(db, campaign)
    view = View(1)
    cases = {
        "counters (one query)": lambda: counters(db, campaign),
        "first page, recent first": lambda: pipeline_view.page(db, view, now),
        "page 500 (keyset)": lambda: pipeline_view.page(db, view, now, after=bound),
        "first page by followers": lambda: pipeline_view.page(db, view.sorted_by("followers"), now),
        "count for the page line": lambda: pipeline_view.count(db, view, now),
        "position of page 500": lambda: pipeline_view.position(db, view, now, bound),
        "search 'followers>=100k'": lambda: pipeline_view.page(
            db, View(1, search="followers>=100k"), now),
    }
    rows = pipeline_view.page(db, view, now, limit=50_000)
    bound = pipeline_view.bound_of(rows[-1])
    print(f"\n{SIZE:,} applications in campaign 1 (+50k in 19 others); counters = {numbers}")
    print(f"counters plan: {plan}")
    print(f"reference count(*): {reference * 1000:.2f} ms")
    for name, action in cases.items():
        elapsed = best_of(action)
        print(f"{name:<28} {elapsed * 1000:8.2f} ms  {elapsed / reference:6.1f}x reference")
    assert "COVERING INDEX applications_counters" in plan
    assert numbers["all_candidates"] > 0
    store.close()
