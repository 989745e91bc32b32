"""`callsheet import influencers FILE`: CSV, XLSX or JSON, all or nothing unless --skip-invalid."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from mailer.actions.influencers import import_file, set_import_limit
from store.errors import UserError
from store.ingest import limits as import_limits
from store.ingest.importer import ImportReport, InvalidRows
from store.ingest.readers import FORMATS
from tui.context import CliContext
from tui.output import emit_json, raw


@click.group("import")
def import_group() -> None:
    """Import data from files."""


@import_group.command("influencers")
@click.argument("file", type=click.Path(dir_okay=True, path_type=Path))
@click.option("--skip-invalid", is_flag=True,
              help="Import the valid rows and report the others, instead of importing nothing.")
@click.option("--format", "fmt", type=click.Choice(FORMATS, case_sensitive=False),
              help="Read FILE as this format (default: from its name, else its content).")
@click.option("--sheet", metavar="NAME", help="The worksheet to read from a workbook with several.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_obj
def influencers(obj: CliContext, file: Path, skip_invalid: bool, fmt: str | None, sheet: str | None,
                as_json: bool) -> None:
    """Create or update influencers from FILE (CSV, XLSX or JSON), matched by handle."""
    bars = _ProgressBars()
    try:
        imported = import_file(obj.store, file, fmt=fmt, sheet=sheet, skip_invalid=skip_invalid,
                               progress=bars.update if sys.stderr.isatty() else None)
    except InvalidRows as error:
        bars.close()
        _print_details(error.report, as_json)
        raise UserError(_refusal(error)) from None
    finally:
        bars.close()
    _print_details(imported.report, as_json)
    if not as_json:
        click.echo(imported.sentence)


@import_group.command("limits")
@click.option("--max-variables", type=int, metavar="N",
              help="Set how many custom variables one file may add and one influencer may hold.")
@click.option("--json", "as_json", is_flag=True, help="Print the limit as JSON.")
@click.pass_obj
def limits(obj: CliContext, max_variables: int | None, as_json: bool) -> None:
    """Show, or set (managers), the workspace's cap on custom variables."""
    if max_variables is not None:
        click.echo(set_import_limit(obj.store, max_variables).sentence)
        return
    current = import_limits.max_variables(obj.store.reader())
    if as_json:
        emit_json({"max_custom_variables": current})
    else:
        click.echo(f"Custom variables: at most {current} per file and per influencer.")


def _print_details(report: ImportReport, as_json: bool) -> None:
    """Rejected rows and notes on stderr (one per line), and the JSON report on stdout."""
    for note in report.notes:
        click.echo(f"Note: {note}", err=True)
    for rejection in report.rejected:
        click.echo(f"{report.unit} {rejection.line}: {rejection.reason}", err=True)
    if as_json:
        emit_json(report.as_json())


def _refusal(error: InvalidRows) -> str:
    report = error.report
    valid = report.rows - len(report.rejected)
    if valid == 0:
        return error.sentence
    noun = "item" if report.unit == "item" else "row"
    return (f"{error.sentence[:-1]}: fix the {len(report.rejected)} listed above, or pass "
            f"--skip-invalid to import the other {valid} {noun}{'s' if valid != 1 else ''}.")


class _ProgressBars:
    """One click progress bar per phase of the import, on stderr."""

    def __init__(self) -> None:
        self._phase = ""
        self._bar: Any = None
        self._shown = 0

    def update(self, phase: str, done: int, total: int) -> None:
        if phase != self._phase:
            self.close()
            self._phase = phase
            if total:
                self._bar = click.progressbar(length=total, label=phase, file=raw(sys.stderr))
                self._bar.__enter__()
        if self._bar is not None:
            self._bar.update(done - self._shown)
            self._shown = done

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
        self._bar = None
        self._shown = 0
