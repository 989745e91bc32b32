"""Building import files for tests: CSV text, XLSX workbooks, doctored zip packages, DB fingerprints."""

from __future__ import annotations

import csv
import hashlib
import io
import sqlite3
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook

HEADER = ["handle", "name", "first_name", "email", "platform", "followers", "engagement_rate",
          "country", "language", "tags", "address", "Shoe size"]
ANA = ["@ana_lopez", "Ana López", "Ana", "ana@example.com", "Instagram, TikTok", "12,500", "3.5%",
       "fr", "FR", "Beauty, #Fashion", "1 rue de la Paix\nParis", "38"]
LAUGHS = b"".join(
    b'<!ENTITY lol%d "%s">' % (n, b"".join(b"&lol%d;" % (n - 1) for _ in range(10)) if n else b"lol")
    for n in range(10))
BOMB = b'<?xml version="1.0"?>\n<!DOCTYPE lolz [' + LAUGHS + b']>\n<sst>&lol9;</sst>'  # billion laughs
BOB = ["bob.k", "Bob Kline", "Bob", "bob@Example.ORG", "youtube", "1.2m", "2", "us", "en", "tech", "", ""]


def write_csv(path: Path, rows: Sequence[Sequence[Any]], *, delimiter: str = ",",
              encoding: str = "utf-8", header: Sequence[str] = HEADER) -> Path:
    """A CSV file as a spreadsheet program would write it."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def make_workbook(rows: Sequence[Sequence[Any]], *, header: Sequence[str] = HEADER,
                  title: str = "Influencers") -> Workbook:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    return workbook


def write_xlsx(path: Path, rows: Sequence[Sequence[Any]], **options: Any) -> Path:
    make_workbook(rows, **options).save(path)
    return path


def rewrite_zip(source: Path, target: Path, replace: dict[str, bytes]) -> Path:
    """A copy of the zip `source` with some parts' bytes replaced (or added)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            new.writestr(info.filename, replace.get(info.filename, old.read(info.filename)))
        for name, data in replace.items():
            if name not in old.namelist():
                new.writestr(name, data)
    return target


def fingerprint(db_path: Path) -> dict[str, tuple[int, str]]:
    """Every table's row count and a checksum of its rows: equal fingerprints mean nothing changed."""
    conn = sqlite3.connect(db_path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        result = {}
        for table in tables:
            # Sorted here, not by rowid: FTS5's index and other WITHOUT ROWID tables have none.
            rows = sorted(conn.execute(f"SELECT * FROM [{table}]").fetchall(), key=repr)
            result[table] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
        return result
    finally:
        conn.close()


def influencer_rows(db_path: Path) -> list[dict]:
    if not db_path.exists():
        return []  # a refused first import leaves no workspace (and connecting would make a file)
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute("SELECT * FROM influencers ORDER BY id")]
    finally:
        conn.close()
