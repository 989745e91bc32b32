"""Turning exceptions into what a person at a terminal should see."""

from __future__ import annotations

import sqlite3
import sys
import traceback
from datetime import UTC, datetime

import click

from store.errors import UserError
from tui.context import log_dir


def log_traceback(error: BaseException) -> str:
    """Write the full traceback to the log directory and return the file's path."""
    directory = log_dir()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "errors.log"
    with path.open("a", encoding="utf-8") as log:
        log.write(f"--- {datetime.now(UTC).isoformat()} {' '.join(sys.argv)}\n")
        log.write("".join(traceback.format_exception(error)))
    return str(path)


def report(error: BaseException) -> int:
    """Print one sentence for `error` on stderr and return the exit code."""
    if isinstance(error, UserError):
        click.echo(f"Error: {error.sentence}", err=True)
        return 1
    if isinstance(error, sqlite3.OperationalError) and "disk" in str(error).lower():
        click.echo(f"Error: the disk refused the write ({error}); nothing was changed.", err=True)
        return 1
    if isinstance(error, PermissionError):
        click.echo(f"Error: permission denied: {error.filename or error}.", err=True)
        return 1
    where = log_traceback(error)
    click.echo(f"Error: unexpected {type(error).__name__}: {error}. Details in {where}.", err=True)
    return 2
