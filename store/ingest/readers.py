"""Reading a file to import: its bytes, its format (chosen, by name, or by content), then its reader."""

from __future__ import annotations

from pathlib import Path

from store.errors import UserError
from store.ingest import csv_file, json_file, xlsx_package
from store.ingest.source import OLE_MAGIC, ZIP_MAGIC, Progress, SourceTable

FORMATS = ("csv", "xlsx", "json")
MAX_FILE_BYTES = 256 * 1024 * 1024
SUFFIXES = {".csv": "csv", ".tsv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx",
            ".json": "json"}


def detect_format(path: Path, head: bytes, chosen: str | None) -> str:
    """The format to read `path` as: the one chosen, else its suffix, else its first bytes."""
    if chosen:
        return chosen.lower()
    by_suffix = SUFFIXES.get(path.suffix.lower())
    if by_suffix:
        return by_suffix
    if head.startswith(ZIP_MAGIC):
        return "xlsx"
    if head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"[", b"{"):
        return "json"
    return "csv"


def read_bytes(path: Path) -> bytes:
    """The file's bytes, or one sentence on why it cannot be read."""
    if not path.exists():
        raise UserError(f"{path} does not exist.")
    if path.is_dir():
        raise UserError(f"{path} is a directory, not a file to import.")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise UserError(f"{path.name} is {size // 2**20} MB; callsheet imports files up to "
                        f"{MAX_FILE_BYTES // 2**20} MB (split it).")
    try:
        return path.read_bytes()
    except OSError as error:
        raise UserError(f"Cannot read {path}: {error.strerror or error}.") from None


def read_source(path: Path, *, fmt: str | None = None, sheet: str | None = None,
                progress: Progress | None = None) -> SourceTable:
    """Read `path` as CSV, XLSX or JSON into a `SourceTable`, or refuse it in one sentence."""
    data = read_bytes(path)
    chosen = detect_format(path, data[:64], fmt)
    if chosen not in FORMATS:
        raise UserError(f"Unknown format {fmt!r}; choose one of {', '.join(FORMATS)}.")
    if sheet is not None and chosen != "xlsx":
        raise UserError(f"--sheet only applies to XLSX workbooks, and {path.name} is read as {chosen}.")
    if chosen == "xlsx":
        package = xlsx_package.check(path, data)  # before any XML parser is even loaded
        from store.ingest import xlsx_file  # openpyxl takes 0.2 s to import: only workbooks pay for it

        table = xlsx_file.read(path, data, package, sheet=sheet, progress=progress)
    else:
        refuse_binary(path, data, chosen)
        reader = csv_file.read if chosen == "csv" else json_file.read
        table = reader(path, data)
    if not table.rows:
        raise UserError(f"{path.name} has a header but no rows." if table.header
                        else f"{path.name} has no rows.")
    return table


def refuse_binary(path: Path, data: bytes, chosen: str) -> None:
    """A workbook or binary file handed over as text gets a sentence saying what it is."""
    if data.startswith(ZIP_MAGIC):
        raise UserError(f"{path.name} is a zip file (an XLSX workbook?), not {chosen.upper()} text; "
                        "name it .xlsx or pass --format xlsx.")
    if data.startswith(OLE_MAGIC):
        raise UserError(f"{path.name} is an Excel 97-2003 or password-protected workbook, not "
                        f"{chosen.upper()} text; save it as .xlsx or CSV UTF-8.")
