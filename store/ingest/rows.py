"""Checking every row of a file: each becomes a clean influencer, or a rejection with its reasons.

All the problems of a row are reported together, so one pass over the file is
enough to fix it. Handles are compared by their key (store/handles.py: any case,
width or composition), and a handle that appears on two lines rejects both, since
neither can be chosen silently.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from store.handles import handle_key
from store.ingest import fields as rules
from store.ingest.columns import ColumnMap
from store.ingest.source import Cell, Progress, RawRow, SourceTable

PROGRESS_EVERY = 5000

# column → (stored column, parser of the cell's text)
PARSERS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "name": ("name", partial(rules.single_line, "name")),
    "first_name": ("first_name", partial(rules.single_line, "first_name")),
    "email": ("email", rules.email),
    "platform": ("platforms", partial(rules.word_list, "platform")),
    "followers": ("followers", rules.followers),
    "engagement_rate": ("engagement_rate", rules.engagement_rate),
    "country": ("country", rules.country),
    "language": ("language", rules.language),
    "tags": ("tags", partial(rules.word_list, "tags", strip_hash=True)),
    "address": ("address", rules.address),
}
LIST_COLUMNS = ("platform", "tags")


@dataclass(slots=True)
class CleanRow:
    """A valid row: its handle, the stored values it gives (empty cells give none) and custom variables."""

    line: int
    handle: str
    values: dict[str, Any] = field(default_factory=dict)
    custom: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Rejection:
    """A row left out, with the line (row, item) it is on and every reason."""

    line: int
    handle: str | None
    reason: str

    def as_json(self) -> dict:
        return {"line": self.line, "handle": self.handle, "reason": self.reason}


def check_rows(table: SourceTable, columns: ColumnMap,
               progress: Progress | None = None) -> tuple[list[CleanRow], list[Rejection]]:
    """Split the rows of `table` into clean rows and rejections, in file order."""
    handle_at = next(i for i, key in columns.fields if key == "handle")
    plan = [(index, key, *PARSERS[key]) for index, key in columns.fields if key != "handle"]
    outcomes: list[CleanRow | Rejection] = []
    for done, raw in enumerate(table.rows, start=1):
        outcomes.append(_check(table, columns, plan, handle_at, raw))
        if progress and done % PROGRESS_EVERY == 0:
            progress("Checking", done, len(table.rows))
    outcomes = _reject_repeated_handles(outcomes, table.unit)
    clean = [o for o in outcomes if isinstance(o, CleanRow)]
    rejected = [o for o in outcomes if isinstance(o, Rejection)]
    return clean, rejected


def _check(table: SourceTable, columns: ColumnMap, plan: list[tuple], handle_at: int,
           raw: RawRow) -> CleanRow | Rejection:
    cells = raw.cells
    raw_handle = _text(cells[handle_at]) if handle_at < len(cells) else None
    if raw.problem:
        return Rejection(raw.line, raw_handle, raw.problem)
    problems: list[str] = []
    row = CleanRow(raw.line, "")
    try:
        row.handle = rules.handle(raw_handle) if raw_handle else ""
    except rules.Invalid as error:
        problems.append(str(error))
    if raw_handle is None:
        problems.append("handle is empty")
    values = row.values
    for index, key, column, parse in plan:
        cell = cells[index]
        if not cell:
            continue
        try:
            if cell.__class__ is str:
                value = cell.strip(" \t")
                if not value:
                    continue
                # Spaces around an address are an error, not something to trim.
                parsed = parse(cell if key == "email" else value)
            else:
                parsed = _parse_list(cell, key, parse)
            if parsed is not None:  # a list of nothing but commas is empty
                values[column] = parsed
        except rules.Invalid as error:
            problems.append(str(error))
    for index, key in columns.custom:
        text = _text(cells[index])
        if text is None:
            continue
        try:
            row.custom[key] = rules.custom(key, text)
        except rules.Invalid as error:
            problems.append(str(error))
    problems += [f"has a value in {table.column_label(i)}, which has no name"
                 for i in columns.nameless if _text(cells[i]) is not None]
    if problems:
        return Rejection(raw.line, row.handle or raw_handle, "; ".join(problems))
    return row


def _parse_list(cell: list[str], key: str, parse: Callable[[Any], Any]) -> Any:
    """A list cell (JSON) is only allowed for the columns that hold lists."""
    if key not in LIST_COLUMNS:
        raise rules.Invalid(f"{key} holds a list")
    return parse(cell)


def _text(cell: Cell) -> str | None:
    """A cell as trimmed text, None when empty; lists (JSON) are joined for custom variables."""
    if cell is None:
        return None
    text = (", ".join(cell) if isinstance(cell, list) else cell).strip(" \t")
    return text or None


def _reject_repeated_handles(outcomes: list[CleanRow | Rejection], unit: str) -> list[CleanRow | Rejection]:
    """Reject every row whose handle another row of the file also has (rejected rows count too)."""
    lines: dict[str, list[int]] = {}
    for outcome in outcomes:
        if outcome.handle:
            lines.setdefault(handle_key(outcome.handle), []).append(outcome.line)
    repeated = {key: found for key, found in lines.items() if len(found) > 1}
    if not repeated:
        return outcomes
    result: list[CleanRow | Rejection] = []
    for outcome in outcomes:
        found = repeated.get(handle_key(outcome.handle)) if outcome.handle else None
        if found is None:
            result.append(outcome)
            continue
        others = [str(n) for n in found if n != outcome.line]
        where = f"{unit}{'s' if len(others) > 1 else ''} {', '.join(others)}"
        reason = f"handle {outcome.handle!r} is also on {where}"
        if isinstance(outcome, Rejection):
            reason = f"{outcome.reason}; {reason}"
        result.append(Rejection(outcome.line, outcome.handle, reason))
    return result
