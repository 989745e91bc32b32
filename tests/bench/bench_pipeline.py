"""The pipeline's reads on 100,000 applications in one campaign: counters and the pane's pages.

Run: `uv run pytest tests/bench/bench_pipeline.py -n 0 -s` (building takes ~10 s). Times are printed
as p50 and p95 of five runs, with the query plan and as ratios to a reference measured in the same
run: a bare `count(*)` of the campaign's applications through the (campaign_id, stage) index.
"""

from __future__ import annotations

import random
from pathlib import Path

from store import campaigns, pipeline_view
from store.clock import Clock, from_iso
from store.counters import COUNTERS_SQL, counters
from store.db import Store
from store.pipeline_view import View
from tests.bench.stats import runs
from tests.bench.workload import NOW, Size, insert_applications, insert_campaigns, insert_influencers

SIZE = 100_000


def build(path: Path) -> Store:
    store = Store(path, Clock.fixed(NOW), actor="bench")
    insert_influencers(store, random.Random(1), SIZE)
    insert_campaigns(store, 20)
    # Nineteen other campaigns share the table, as in the SPEC workload.
    insert_applications(store, random.Random(3), Size(influencers=SIZE, first_campaign=SIZE))
    store.writer.execute("ANALYZE")
    return store


def test_pipeline_reads_on_100k_applications(tmp_path: Path) -> None:
    store = build(tmp_path / "bench.db")
    db, now = store.reader(), from_iso(NOW)
    campaign = campaigns.get_by_id(db, 1)
    reference, _ = runs(lambda: db.execute(
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
    print(f"reference count(*): p50 {reference * 1000:.2f} ms")
    for name, action in cases.items():
        p50, p95 = runs(action)
        print(f"{name:<28} p50 {p50 * 1000:8.2f} ms  p95 {p95 * 1000:8.2f} ms  "
              f"p95 {p95 / reference:6.1f}x reference p50")
    assert "COVERING INDEX applications_counters" in plan
    assert numbers["all_candidates"] > 0
    store.close()
