"""Importing 100,000 influencers from CSV (and 10,000 from XLSX), as ratios to references from the same run.

Run: `uv run pytest tests/bench/bench_import.py -n 0 -s` (about a minute on 2 cores).
The CSV reference is a plain `executemany` INSERT of the same rows, already parsed,
into a bare table with the same columns: the floor for getting rows into SQLite
from Python. The XLSX reference is openpyxl's read-only iteration of the same
workbook's values, the floor for reading it at all.
"""

from __future__ import annotations

import csv
import gc
import sqlite3
import time
from pathlib import Path

from openpyxl import Workbook, load_workbook

from store.clock import Clock
from store.db import Store
from store.ingest.importer import import_influencers

NOW = "2026-11-23T10:00:00+00:00"
HEADER = ["handle", "name", "first_name", "email", "platform", "followers", "engagement_rate", "country",
          "language", "tags", "address", "Shoe size"]
CSV_ROWS = 100_000
XLSX_ROWS = 10_000


def people(count: int) -> list[list[str]]:
    return [[f"user{n}", f"User {n}", "User", f"user{n}@example.com", "instagram, tiktok", f"{n * 7:,}",
             "3.5%", "FR", "fr", "beauty, food", f"{n} rue de la Paix\nParis", str(n % 47)]
            for n in range(count)]


def reference_insert(path: Path, rows: list[list[str]]) -> float:
    """Seconds for a bare `executemany` of the same rows in one transaction (best of three)."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    times = []
    for attempt in range(3):
        conn.execute(f"CREATE TABLE bare{attempt} ({', '.join(f'c{i} TEXT' for i in range(len(HEADER)))})")
        start = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(f"INSERT INTO bare{attempt} VALUES ({', '.join('?' * len(HEADER))})", rows)
        conn.execute("COMMIT")
        times.append(time.perf_counter() - start)
    conn.close()
    return min(times)


def timed_import(tmp_path: Path, source: Path, name: str) -> tuple[float, float]:
    """Seconds for a first import into an empty database, then for re-importing the same file."""
    store = Store(tmp_path / f"{name}.db", Clock.fixed(NOW), actor="bench")
    try:
        start = time.perf_counter()
        first = import_influencers(store, source)
        created = time.perf_counter() - start
        start = time.perf_counter()
        again = import_influencers(store, source)
        unchanged = time.perf_counter() - start
    finally:
        store.close()
    assert first.created == again.unchanged == first.rows
    return created, unchanged


def read_values(source: Path) -> float:
    """Seconds for openpyxl to read every value of the workbook's sheet."""
    start = time.perf_counter()
    reading = load_workbook(source, read_only=True)
    for _ in reading.worksheets[0].iter_rows(values_only=True):
        pass
    reading.close()
    return time.perf_counter() - start


def report(label: str, count: int, elapsed: float, reference: float) -> None:
    speed = count / elapsed
    print(f"{label:<38} {elapsed:7.2f} s  {speed:9,.0f} rows/s  {elapsed / reference:6.1f}x reference")


def test_import_100k_csv_rows(tmp_path: Path) -> None:
    rows = people(CSV_ROWS)
    source = tmp_path / "people.csv"
    with source.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        writer.writerows(rows)
    gc.collect()
    reference = reference_insert(tmp_path / "bare.db", rows)
    created, unchanged = timed_import(tmp_path, source, "csv")
    print(f"\n{CSV_ROWS:,} CSV rows, {source.stat().st_size / 2**20:.1f} MB")
    report("reference: bare executemany", CSV_ROWS, reference, reference)
    report("import into an empty database", CSV_ROWS, created, reference)
    report("re-import, all unchanged", CSV_ROWS, unchanged, reference)


def test_import_10k_xlsx_rows(tmp_path: Path) -> None:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Influencers")
    sheet.append(HEADER)
    for row in people(XLSX_ROWS):
        sheet.append(row)
    source = tmp_path / "people.xlsx"
    workbook.save(source)
    reference = min(read_values(source) for _ in range(2))
    created, unchanged = timed_import(tmp_path, source, "xlsx")
    print(f"\n{XLSX_ROWS:,} XLSX rows")
    report("reference: openpyxl read-only values", XLSX_ROWS, reference, reference)
    report("import into an empty database", XLSX_ROWS, created, reference)
    report("re-import, all unchanged", XLSX_ROWS, unchanged, reference)
