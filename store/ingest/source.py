"""What every import reader produces: a header and numbered rows, whatever the file's format.

Each reader refuses a malformed file with one sentence naming the file and the
line, row or cell; problems that concern one row only are kept on that row so
`--skip-invalid` can leave it out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from store.errors import UserError

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_COLUMNS = 5000  # a header wider than this is refused before any row is read
MAX_COLUMN_NAME = 200  # characters in one header name

# A cell as the rules see it: text, a list of texts (JSON lists for tags and platforms), or empty.
Cell = str | list[str] | None
# (phase, done, total): lets the command line draw a progress bar; total 0 means unknown.
Progress = Callable[[str, int, int], None]


@dataclass
class RawRow:
    """One data row: where it is in the file, its cells, and a problem found while reading it."""

    line: int
    cells: Sequence[Cell]
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


def check_header(file: str, header: Sequence[str], noun: str = "column") -> None:
    """Refuse a header too wide or with a name too long, before its rows are looked at.

    Empty names after the last named column do not count: a spreadsheet formatted to
    its last column has thousands of them.
    """
    width = next((at + 1 for at in range(len(header) - 1, -1, -1) if header[at].strip()), 0)
    if width > MAX_COLUMNS:
        raise UserError(f"{file} has {width:,} {noun}s; callsheet imports at most {MAX_COLUMNS:,} "
                        "(custom variables are capped lower still): remove the ones you do not need.")
    for index, name in enumerate(header):
        if len(name) > MAX_COLUMN_NAME:
            raise UserError(f"{file} {noun} {index + 1} has a name {len(name):,} characters long; "
                            f"names may be at most {MAX_COLUMN_NAME} characters.")
