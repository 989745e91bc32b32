"""Planning a day for 20 campaigns over a 100,000-influencer workload (SPEC §9; target ≤ 2 s).

Run: `uv run pytest tests/bench/bench_planner.py -n 0 -s` (builds the query benchmark's workload,
~30 s; set CALLSHEET_BENCH_QUERY_DB to keep it between runs; planning runs on a fresh copy).
Prints the time to plan all 20 campaigns (up to 1,000 invitations rendered with the real
templates) and its ratio to a reference measured in the same run: one LIKE scan of every influencer.
"""

from __future__ import annotations

import os
import shutil
import time
from datetime import date
from pathlib import Path

from mailer.outreach import planner
from store.clock import Clock
from store.db import Store
from tests.bench.bench_query import NOW, build, timed

ZONES = ["Europe/Paris", "America/New_York", "Asia/Kolkata", "Australia/Adelaide", "UTC"]
SEGMENTS = ["", "tag:beauty", "country:FR followers>=10k",
            "tag:beauty followers>=10k country:FR -campaign:c1 replied:no contacted:no",
            "followers>=1000 -campaign:c3"]


def configure(store: Store) -> None:
    """Give the 20 campaigns a sender, a zone, a window, a cap of 50 and a segment."""
    with store.write() as db:
        for k in range(20):
            db.conn.execute(
                """UPDATE campaigns SET sender_email = ?, sender_name = 'Bench', timezone = ?, daily_cap = 50,
                       windows = '[{"days": [0, 1, 2, 3, 4], "start": "09:00", "end": "18:00"}]',
                       languages = '["fr", "en"]', segment = ? WHERE name = ?""",
                (f"c{k}@brand.example", ZONES[k % len(ZONES)], SEGMENTS[k % len(SEGMENTS)], f"c{k}"))


def test_planner_bench(tmp_path_factory) -> None:
    folder = tmp_path_factory.mktemp("bench")
    source = Path(os.environ.get("CALLSHEET_BENCH_QUERY_DB") or folder / "q.db")
    if not source.exists():
        build(source)
    copy = folder / "plan.db"
    shutil.copy(source, copy)
    store = Store(copy, Clock.fixed(NOW), actor="bench")
    configure(store)
    reference = min(timed(store.reader(), "SELECT count(*) FROM influencers WHERE name LIKE ?", ["%zz%"])[0]
                    for _ in range(3))
    start = time.perf_counter()
    day, results = planner.plan(store, date(2026, 11, 24))
    elapsed = time.perf_counter() - start
    planned = sum(r.planned for r in results)
    print(f"\nreference: one LIKE scan of 100k influencers = {reference * 1000:.0f} ms")
    print(f"plan {day}: {len(results)} campaigns, {planned} invitations, {elapsed * 1000:.0f} ms "
          f"({elapsed / reference:.1f}x the reference; target <= 2000 ms)")
    start = time.perf_counter()
    _, again = planner.plan(store, date(2026, 11, 24))
    print(f"plan again (idempotent, nothing new): {(time.perf_counter() - start) * 1000:.0f} ms")
    store.close()
    assert len(results) == 20 and planned >= 600
    assert sum(r.planned for r in again) == 0
