"""Planning a day for 20 campaigns over a 100,000-influencer workload (SPEC §9; target ≤ 2 s).

Run: `uv run python -m tests.bench.bench_planner [DB]` (builds the query benchmark's database once,
~30 s, then plans on a fresh copy of it). Prints the time to plan all 20 campaigns (1,000
invitations rendered with the real templates) and its ratio to a reference measured in the same
run: one LIKE scan over every influencer.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from mailer import planner
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


def main() -> None:
    default = Path(tempfile.gettempdir()) / "callsheet-bench-query.db"
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else default
    if not source.exists():
        build(source)
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "plan.db"
        shutil.copy(source, copy)
        store = Store(copy, Clock.fixed(NOW), actor="bench")
        configure(store)
        reference = timed(store.reader(), "SELECT count(*) FROM influencers WHERE name LIKE ?", ["%zz%"])
        start = time.perf_counter()
        day, results = planner.plan(store, date(2026, 11, 24))
        elapsed = time.perf_counter() - start
        planned = sum(r.planned for r in results)
        print(f"reference: one LIKE scan of 100k influencers = {reference * 1000:.0f} ms")
        print(f"plan {day}: {len(results)} campaigns, {planned} invitations, {elapsed * 1000:.0f} ms "
              f"({elapsed / reference:.1f}x the reference; target <= 2000 ms)")
        start = time.perf_counter()
        planner.plan(store, date(2026, 11, 24))
        print(f"plan again (idempotent, nothing new): {(time.perf_counter() - start) * 1000:.0f} ms")
        store.close()


if __name__ == "__main__":
    main()
