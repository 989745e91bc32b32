"""Importing influencers from a file: read, check every row, then upsert by handle in one transaction.

All or nothing: a file with a bad row imports nothing (`InvalidRows` carries every
rejection) unless `skip_invalid`, which imports the good rows. Re-importing a file
changes nothing: rows equal to what is stored count as unchanged. An empty cell
never erases a stored value, and custom variables are merged key by key.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from store import audit
from store.database import Database
from store.db import Store
from store.errors import UserError
from store.handles import handle_key
from store.ingest import limits
from store.ingest.columns import map_columns
from store.ingest.guard import UpdateGuard
from store.ingest.readers import read_source
from store.ingest.rows import CleanRow, Rejection, check_rows
from store.ingest.source import Progress

CHUNK = 500
STORED = ("name", "first_name", "email", "platforms", "followers", "engagement_rate", "country",
          "language", "tags", "address", "custom")
JSON_STORED = {"platforms", "tags", "custom"}
POSITION = {column: at for at, column in enumerate(STORED)}
CUSTOM = POSITION["custom"]
TEXTS = {column: POSITION[column] for column in ("name", "first_name", "address")}
EMPTY = ("", "", None, "[]", None, None, None, None, "[]", None, "{}")  # a new row, before its values
_JSON = json.JSONEncoder(ensure_ascii=False).encode
INSERT = (f"INSERT INTO influencers (handle, handle_key, {', '.join(STORED)}, created_at, updated_at) "
          f"VALUES ({', '.join('?' * (len(STORED) + 4))})")
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
    with _collector_paused():
        table = read_source(path, fmt=fmt, sheet=sheet, progress=progress)
        columns = map_columns(table)
        limit = limits.max_variables(store.reader())
        limits.refuse_wide_file(path.name, [key for _, key in columns.custom], limit)
        clean, rejected = check_rows(table, columns, progress)
        report = ImportReport(path.name, table.unit, len(table.rows), rejected=rejected, notes=table.notes)
        table.rows.clear()  # the raw cells are not needed any more: free them before writing
        if rejected and (not skip_invalid or not clean):
            raise InvalidRows(report)
        _write(store, table.format, report, clean, progress, limit)
    return report


def _write(store: Store, fmt: str, report: ImportReport, clean: list[CleanRow],
           progress: Progress | None, limit: int) -> None:
    with store.write() as db:
        store.require("import")
        now = store.now_iso()
        guard = UpdateGuard(report.file, report.unit, limit, TEXTS, CUSTOM)
        report.created, report.updated, report.unchanged = upsert(db, clean, now, progress, guard)
        audit.record(db, at=now, actor=store.actor, action="import", entity="influencers",
                     file=report.file, format=fmt, created=report.created, updated=report.updated,
                     unchanged=report.unchanged, rejected=len(report.rejected))


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector during a bulk load.

    The rows of a big file are millions of objects that live until the end, and
    the collector would walk them over and over (measured: a third of the checking
    time at 100,000 rows); they hold no reference cycles.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def upsert(db: Database, rows: Sequence[CleanRow], now: str, progress: Progress | None = None,
           guard: UpdateGuard | None = None) -> tuple[int, int, int]:
    """Insert new handles and update changed ones; return (created, updated, unchanged).

    Each update is shown to `guard` first, which may refuse the whole import before
    anything is written.
    """
    keys = [handle_key(row.handle) for row in rows]
    stored = _stored_by_key(db, keys)
    inserts: list[tuple] = []
    updates: list[tuple] = []
    for row, key in zip(rows, keys, strict=True):
        current = stored.get(key)
        if current is None:
            inserts.append((row.handle, key, *_apply(EMPTY, row), now, now))
            continue
        merged = _apply(current[2:], row)
        if merged != current[2:]:
            updates.append((*merged, now, current[0]))
            if guard:
                guard.check(row.line, current[1], current[2:], merged)
    if guard:
        guard.refuse()
    written = 0
    for statement, params in ((INSERT, inserts), (UPDATE, updates)):
        for chunk in _chunks(params, CHUNK * 4):
            db.conn.executemany(statement, chunk)
            written += len(chunk)
            if progress:
                progress("Writing", written, len(inserts) + len(updates))
    return len(inserts), len(updates), len(rows) - len(inserts) - len(updates)


def _stored_by_key(db: Database, keys: list[str]) -> dict[str, tuple]:
    """(id, handle, *STORED) of the influencers with these handle keys, by key."""
    found: dict[str, tuple] = {}
    for chunk in _chunks(keys, CHUNK):
        marks = ", ".join("?" * len(chunk))
        cursor = db.conn.execute(f"SELECT handle_key, id, handle, {', '.join(STORED)} FROM influencers "
                                 f"WHERE handle_key IN ({marks})", chunk)
        for key, *values in cursor:
            found[key] = tuple(values)
    return found


def _apply(stored: tuple, row: CleanRow) -> tuple:
    """The STORED values once `row` is applied: given values replace, custom variables merge.

    JSON columns keep their stored text when it means the same, so a row equal to
    what is stored (whoever wrote it) compares equal and is counted unchanged.
    """
    values = list(stored)
    for column, value in row.values.items():
        at = POSITION[column]
        if column in JSON_STORED:
            text = _JSON(value)
            if text != values[at] and json.loads(values[at] or "null") != value:
                values[at] = text
        else:
            values[at] = value
    if row.custom:
        current = json.loads(values[CUSTOM] or "{}")
        merged = {**current, **row.custom}
        if merged != current:
            values[CUSTOM] = _JSON(merged)
    return tuple(values)


def _chunks(items: Sequence, size: int) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
