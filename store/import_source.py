"""A file to import, read into a header and numbered rows, whatever its format.

Each reader refuses a malformed file with one sentence naming the file and the
line, row or cell; problems that concern one row only are kept on that row so
`--skip-invalid` can leave it out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from store.errors import UserError

FORMATS = ("csv", "xlsx", "json")
MAX_FILE_BYTES = 256 * 1024 * 1024
SUFFIXES = {".csv": "csv", ".tsv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx",
            ".json": "json"}
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# A cell as the rules see it: text, a list of texts (JSON lists for tags and platforms), or empty.
Cell = str | list[str] | None
# (phase, done, total): lets the command line draw a progress bar; total 0 means unknown.
Progress = Callable[[str, int, int], None]


@dataclass
class RawRow:
    """One data row: where it is in the file, its cells, and a problem found while reading it."""

    line: int
    cells: list[Cell]
    problem: str | None = None


@dataclass
class SourceTable:
    """What a reader found: the header, the rows, and how to name places in the file."""

    name: str
    format: str
    header: list[str]
    rows: list[RawRow]
    unit: str = "line"  # what `RawRow.line` counts: "line" (CSV), "row" (XLSX), "item" (JSON)
    column_labels: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def column_label(self, index: int) -> str:
        if index < len(self.column_labels):
            return self.column_labels[index]
        return f"column {index + 1}"


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
    from store import import_csv, import_json, import_xlsx

    data = read_bytes(path)
    chosen = detect_format(path, data[:64], fmt)
    if chosen not in FORMATS:
        raise UserError(f"Unknown format {fmt!r}; choose one of {', '.join(FORMATS)}.")
    if sheet is not None and chosen != "xlsx":
        raise UserError(f"--sheet only applies to XLSX workbooks, and {path.name} is read as {chosen}.")
    if chosen == "xlsx":
        table = import_xlsx.read(path, data, sheet=sheet, progress=progress)
    else:
        refuse_binary(path, data, chosen)
        reader = import_csv.read if chosen == "csv" else import_json.read
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
