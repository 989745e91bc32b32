"""Query syntax on the SPEC workload (100k influencers, 1M messages, 20 campaigns).

Run: `uv run pytest tests/bench/bench_query.py -n 0 -s` (building the workload takes ~30 s; set
CALLSHEET_BENCH_QUERY_DB to a file to keep it between runs). Each query's time is printed as a ratio
to a reference measured in the same run: one LIKE scan over every influencer.
"""

from __future__ import annotations

import json
import os
import random
import time
from pathlib import Path

from store.clock import Clock
from store.db import Store
from store.query.parser import parse_query

NOW = "2026-11-23T10:00:00+00:00"
QUERIES = ["tag:beauty", "country:FR", "followers>=100k", "campaign:c3", "-campaign:c3", "stage:in_campaign",
           "replied:no", "contacted:30d", "contacted>30d", "ana", "handle:h9999", "var.shoe_size>=44",
           "tag:beauty followers>=10k country:FR -campaign:c1 replied:no contacted:no"]


def build(path: Path) -> None:
    """Fill a new database with the benchmark workload."""
    store, rng = Store(path, Clock.fixed(NOW), actor="bench"), random.Random(1)
    tags = ["beauty", "skincare", "fashion", "fitness", "food", "travel", "tech", "gaming"]
    with store.write() as db:
        db.conn.executemany(
            """INSERT INTO influencers (handle, name, first_name, email, followers, engagement_rate, country,
                   language, tags, custom, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)""",
            [(f"h{n}", f"Name {n}", "Ana", f"h{n}@x.example", int(rng.lognormvariate(9.5, 1.4)),
              rng.uniform(0.4, 9), rng.choice(["FR", "BE", "US", "DE"]), "fr",
              json.dumps(rng.sample(tags, 2)),
              json.dumps({"shoe_size": rng.randint(36, 46)}), NOW, NOW) for n in range(100_000)])
        db.conn.executemany("INSERT INTO campaigns (name, created_at, updated_at) VALUES (?, ?, ?)",
                            [(f"c{k}", NOW, NOW) for k in range(20)])
        db.conn.executemany(
            """INSERT OR IGNORE INTO applications (influencer_id, campaign_id, source, stage, created_at,
                   updated_at) VALUES (?, ?, ?, ?, ?, ?)""",
            [(rng.randint(1, 100_000), rng.randint(1, 20), rng.choice(["invited", "applied"]),
              rng.choice(["invited", "to review", "in campaign"]), NOW, NOW) for _ in range(60_000)])
        db.conn.executemany(
            """INSERT INTO messages (influencer_id, direction, kind, status, sent_at, created_at, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?)""", _messages(rng))
    store.close()


def _messages(rng: random.Random):
    for _ in range(1_000_000):
        inbound, at = rng.random() < 0.3, f"2026-{rng.randint(9, 11)}-{rng.randint(10, 28)}T10:00:00+00:00"
        yield (rng.randint(1, 100_000), "in" if inbound else "out", "reply" if inbound else "invitation",
               None if inbound else "sent", None if inbound else at, at, at)


def timed(db, sql: str, params: list) -> tuple[float, list]:
    start = time.perf_counter()
    rows = db.execute(sql, params).fetchall()
    return time.perf_counter() - start, rows


def test_query_bench(tmp_path_factory) -> None:
    path = Path(os.environ.get("CALLSHEET_BENCH_QUERY_DB") or tmp_path_factory.mktemp("bench") / "q.db")
    if not path.exists():
        build(path)
    store = Store(path, Clock.fixed(NOW), actor="bench")
    db, now = store.reader(), store.clock.now()
    reference = min(timed(db, "SELECT count(*) FROM influencers WHERE name LIKE ?", ["%zz%"])[0]
                    for _ in range(3))
    print(f"\nreference: one LIKE scan of 100k influencers = {reference * 1000:.0f} ms")
    counts = {}
    for text in QUERIES:
        where, params = parse_query(text).to_sql(now)
        count, rows = timed(db, f"SELECT count(*) FROM influencers i WHERE {where}", params)
        page, _ = timed(db, f"SELECT * FROM influencers i WHERE {where} ORDER BY i.handle LIMIT 50", params)
        counts[text] = rows[0][0]
        print(f"{text:<75} count {count / reference:5.1f}x  first page {page / reference:5.1f}x")
    store.close()
    assert counts["campaign:c3"] + counts["-campaign:c3"] == 100_000
    assert 0 < counts["replied:no"] < 100_000 and counts["handle:h9999"] == 1
