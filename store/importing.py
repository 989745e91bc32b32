"""Importing influencers from a file: read, check every row, then upsert by handle in one transaction.

All or nothing: a file with a bad row imports nothing (`InvalidRows` carries every
rejection) unless `skip_invalid`, which imports the good rows. Re-importing a file
changes nothing: rows equal to what is stored count as unchanged. An empty cell
never erases a stored value, and custom variables are merged key by key.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from store import audit
from store.db import Store
from store.errors import UserError
from store.import_columns import map_columns
from store.import_rows import CleanRow, Rejection, check_rows, fold
from store.import_source import Progress, read_source

CHUNK = 500
STORED = ("name", "first_name", "email", "platforms", "followers", "engagement_rate", "country",
          "language", "tags", "address", "custom")
JSON_STORED = {"platforms": "[]", "tags": "[]", "custom": "{}"}
INSERT = (f"INSERT INTO influencers (handle, {', '.join(STORED)}, created_at, updated_at) "
          f"VALUES ({', '.join('?' * (len(STORED) + 3))})")
UPDATE = (f"UPDATE influencers SET {', '.join(f'{c} = ?' for c in STORED)}, updated_at = ? "
          "WHERE id = ?")


@dataclass
class ImportReport:
    """What an import did, or would have done: counts, rejected rows and notes on the file."""

    file: str
    unit: str = "line"
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def imported(self) -> int:
        return self.created + self.updated + self.unchanged

    def as_json(self) -> dict:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "rejected": [r.as_json() for r in self.rejected], "notes": self.notes}

    def summary(self) -> str:
        noun = "influencer" if self.imported == 1 else "influencers"
        return (f"Imported {self.imported} {noun}: {self.created} created, {self.updated} updated, "
                f"{self.unchanged} unchanged, {len(self.rejected)} rejected.")


class InvalidRows(UserError):
    """The file has bad rows and nothing was imported; `report.rejected` lists every one."""

    def __init__(self, report: ImportReport) -> None:
        plural = "items" if report.unit == "item" else "rows"
        bad = len(report.rejected)
        if bad == report.rows:
            sentence = f"None of the {bad} {plural} of {report.file} is valid; nothing was imported."
        else:
            verb = "is" if bad == 1 else "are"
            sentence = (f"{bad} of {report.rows} {plural} of {report.file} {verb} invalid; "
                        "nothing was imported.")
        super().__init__(sentence)
        self.report = report


def import_influencers(store: Store, path: Path | str, *, fmt: str | None = None, sheet: str | None = None,
                       skip_invalid: bool = False, progress: Progress | None = None) -> ImportReport:
    """Import the influencers of a CSV, XLSX or JSON file; refuse it whole if any row is bad."""
    store.require("import")
    path = Path(path)
    table = read_source(path, fmt=fmt, sheet=sheet, progress=progress)
    clean, rejected = check_rows(table, map_columns(table), progress)
    report = ImportReport(path.name, table.unit, len(table.rows), rejected=rejected, notes=table.notes)
    if rejected and (not skip_invalid or not clean):
        raise InvalidRows(report)
    with store.write() as db:
        store.require("import")
        now = store.now_iso()
        report.created, report.updated, report.unchanged = upsert(db, clean, now, progress)
        audit.record(db, at=now, actor=store.actor, action="import", entity="influencers",
                     file=path.name, format=table.format, created=report.created,
                     updated=report.updated, unchanged=report.unchanged, rejected=len(rejected))
    return report


def upsert(db: Database, rows: Sequence[CleanRow], now: str,
           progress: Progress | None = None) -> tuple[int, int, int]:
    """Insert new handles and update changed ones; return (created, updated, unchanged)."""
    stored = _stored_by_handle(db, [row.handle for row in rows])
    inserts: list[tuple] = []
    updates: list[tuple] = []
    for row in rows:
        current = stored.get(fold(row.handle))
        if current is None:
            inserts.append((row.handle, *_encode(_merge({}, row)), now, now))
            continue
        merged = _merge(current, row)
        if merged != current:
            updates.append((*_encode(merged), now, current["id"]))
    written = 0
    for statement, params in ((INSERT, inserts), (UPDATE, updates)):
        for chunk in _chunks(params, CHUNK * 4):
            db.conn.executemany(statement, chunk)
            written += len(chunk)
            if progress:
                progress("Writing", written, len(inserts) + len(updates))
    return len(inserts), len(updates), len(rows) - len(inserts) - len(updates)


def _stored_by_handle(db: Database, handles: list[str]) -> dict[str, dict[str, Any]]:
    """The stored rows of these handles (decoded), keyed the way NOCASE compares them."""
    found: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(handles, CHUNK):
        marks = ", ".join("?" * len(chunk))
        cursor = db.conn.execute(
            f"SELECT id, handle, {', '.join(STORED)} FROM influencers WHERE handle IN ({marks})", chunk)
        names = [d[0] for d in cursor.description]
        for values in cursor:
            row = dict(zip(names, values, strict=True))
            for column, empty in JSON_STORED.items():
                row[column] = json.loads(row[column] or empty)
            found[fold(row["handle"])] = row
    return found


def _merge(current: dict[str, Any], row: CleanRow) -> dict[str, Any]:
    """The stored row once `row` is applied: given values replace, custom variables merge."""
    merged = {"name": "", "first_name": "", "platforms": [], "tags": [], "custom": {}}
    merged.update({c: None for c in STORED if c not in merged})
    merged.update(current)
    merged.update(row.values)
    if row.custom:
        merged["custom"] = {**merged["custom"], **row.custom}
    return merged


def _encode(row: dict[str, Any]) -> tuple:
    return tuple(json.dumps(row[c], ensure_ascii=False) if c in JSON_STORED else row[c] for c in STORED)


def _chunks(items: Sequence, size: int) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
