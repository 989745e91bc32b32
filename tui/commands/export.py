"""`callsheet export addresses CAMPAIGN --out FILE.xlsx|.csv`: postal addresses of those in campaign."""

from __future__ import annotations

import csv
import os
import tempfile
from pathlib import Path

import click

from mailer.actions.influencers import export_addresses
from store.errors import UserError
from tui.context import CliContext

COLUMNS = ("name", "handle", "address", "email")
# A CSV cell starting with one of these is run as a formula by spreadsheet programs (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _safe(value: object) -> str:
    """A CSV cell that no spreadsheet program runs as a formula: a leading quote when it looks like one."""
    text = _text(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _write_csv(path: Path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerows([_safe(row[c]) for c in COLUMNS] for row in rows)


def _write_xlsx(path: Path, rows: list[dict]) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet("addresses")
    sheet.append(list(COLUMNS))
    for row in rows:
        cells = []
        for column in COLUMNS:
            # A string cell is never read as a formula, so the value is written exactly as stored.
            cell = WriteOnlyCell(sheet, value=_text(row[column]))
            cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
    book.save(path)


WRITERS = {".csv": _write_csv, ".xlsx": _write_xlsx}


def _write_atomically(out: Path, directory: Path, writer, rows: list[dict]) -> None:
    """Write beside the target and rename into place: never a half-written file."""
    fd, temporary = tempfile.mkstemp(dir=directory, suffix=out.suffix, prefix=".export-")
    os.close(fd)
    try:
        writer(Path(temporary), rows)
        os.replace(temporary, out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@click.group("export")
def export() -> None:
    """Export data to files."""


@export.command("addresses")
@click.argument("campaign")
@click.option("--out", "out", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="FILE.xlsx or FILE.csv.")
@click.pass_obj
def addresses(obj: CliContext, campaign: str, out: Path) -> None:
    """Write name, handle, postal address and email of everyone in CAMPAIGN."""
    writer = WRITERS.get(out.suffix.lower())
    if writer is None:
        raise UserError(f"--out {out} must end in .xlsx or .csv.")
    directory = out.parent if str(out.parent) else Path(".")
    if not directory.is_dir():
        raise UserError(f"The folder {directory} does not exist.")

    def write(rows: list[dict]) -> None:
        try:
            _write_atomically(out, directory, writer, rows)
        except OSError as error:
            raise UserError(f"Cannot write {out}: {error.strerror or error}; nothing was written.") from None

    click.echo(export_addresses(obj.store, campaign, out, write).sentence)


COMMANDS = (export,)
