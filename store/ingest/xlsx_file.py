"""Reading XLSX with openpyxl in read-only mode: one sheet, values only, rows numbered as Excel shows them.

The package has been checked first (store/ingest/xlsx_package.py). Formulas are
refused rather than trusted to a cached value that may be stale; merged cells are
refused because all but one of their cells read as empty; percent-formatted
numbers are read as the percentage the person sees (0.035 shown as 3.5% → "3.5%").
"""

from __future__ import annotations

import io
import warnings
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter, range_boundaries

from store.errors import UserError
from store.ingest.source import Cell, Progress, RawRow, SourceTable, check_header
from store.ingest.xlsx_package import Package

PROGRESS_EVERY = 2000


def read(path: Path, data: bytes, package: Package, *, sheet: str | None = None,
         progress: Progress | None = None) -> SourceTable:
    """Read one worksheet of a checked XLSX package (`import_xlsx_package.check`) into a header and rows."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it skips
        workbook = _open(path, data)
        try:
            worksheet = _choose(path, workbook, sheet)
            merges = package.merges.get(getattr(worksheet, "_worksheet_path", ""), set())
            return _table(path, worksheet, merges, progress)
        finally:
            workbook.close()


def _open(path: Path, data: bytes) -> Any:
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except Exception as error:  # noqa: BLE001 - openpyxl raises many types on malformed packages
        raise UserError(f"{path.name} cannot be read as an XLSX workbook ({type(error).__name__}: "
                        f"{error}).") from None


def _choose(path: Path, workbook: Any, sheet: str | None) -> Any:
    sheets = workbook.worksheets
    names = ", ".join(ws.title for ws in sheets)
    if sheet is not None:
        for worksheet in sheets:
            if worksheet.title.casefold() == sheet.casefold():
                return worksheet
        raise UserError(f"{path.name} has no sheet named {sheet!r}; its sheets are: {names}.")
    if not sheets:
        raise UserError(f"{path.name} has no worksheet.")
    if len(sheets) > 1:
        raise UserError(f"{path.name} has {len(sheets)} sheets ({names}); choose one with --sheet NAME.")
    return sheets[0]


def _table(path: Path, worksheet: Any, merges: set[str], progress: Progress | None) -> SourceTable:
    total = worksheet.max_row or 0
    worksheet.reset_dimensions()  # a wrong <dimension> must not cut rows off silently
    header: list[str] = []
    rows: list[RawRow] = []
    for number, cells in enumerate(worksheet.iter_rows(), start=1):
        values, problems = _values(path, cells)
        if progress and number % PROGRESS_EVERY == 0:
            progress("Reading", number, total)
        if all(v is None for v in values):
            continue
        if not header:
            header = ["" if v is None else str(v).strip() for v in values]
            check_header(path.name, header)
            _refuse_merges(path, merges, number)
            continue
        problems += _fit(values, len(header))
        rows.append(RawRow(number, values, "; ".join(problems) or None))
    labels = [f"column {get_column_letter(i + 1)}" for i in range(len(header))]
    return SourceTable(path.name, "xlsx", header, rows, unit="row", column_labels=labels)


def _fit(values: list[Cell], width: int) -> list[str]:
    """Pad a row to the header's width (Excel omits trailing empty cells); refuse values past it."""
    beyond = [i for i in range(width, len(values)) if values[i] is not None]
    del values[width:]
    values.extend([None] * (width - len(values)))
    if beyond:
        return [f"has a value in column {get_column_letter(beyond[0] + 1)}, past the last named column"]
    return []


def _values(path: Path, cells: tuple) -> tuple[list[Cell], list[str]]:
    values: list[Cell] = []
    problems: list[str] = []
    for cell in cells:
        kind = cell.data_type
        if kind == "f":
            raise UserError(f"{path.name} cell {cell.coordinate} holds a formula ({cell.value}); "
                            "callsheet imports values only: copy the cells and paste them as values.")
        if kind == "e":
            problems.append(f"cell {cell.coordinate} holds the error {cell.value}")
            values.append(None)
            continue
        values.append(_text(cell))
    return values, problems


def _text(cell: Any) -> str | None:
    value = cell.value
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        if "%" in (cell.number_format or ""):
            return f"{_number(round(value * 100, 10))}%"
        return _number(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _number(value: int | float) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _refuse_merges(path: Path, merges: set[str], header_row: int) -> None:
    """Merged ranges at or below the header leave cells that read as empty: refuse them."""
    spans = sorted((range_boundaries(ref)[1], range_boundaries(ref)[3], ref) for ref in merges)
    for first, last, ref in spans:
        if first <= header_row <= last:
            raise UserError(f"{path.name} has merged header cells ({ref}); unmerge them so that "
                            "each column has its own name.")
    for _first, last, ref in spans:
        if last > header_row:
            raise UserError(f"{path.name} has merged cells ({ref}); unmerge them so that every row "
                            "has its own values.")
