"""Turning exceptions into what a person at a terminal should see."""

from __future__ import annotations

import sqlite3
import sys
import traceback
from datetime import UTC, datetime

import click

from store.errors import UserError
from tui.context import log_dir
from tui.visible import visible


def log_traceback(error: BaseException) -> str:
    """Write the full traceback to the log directory and return the file's path."""
    directory = log_dir()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "errors.log"
    with path.open("a", encoding="utf-8") as log:
        log.write(f"--- {datetime.now(UTC).isoformat()} {' '.join(sys.argv)}\n")
        log.write("".join(traceback.format_exception(error)))
    return str(path)


def _sentence(error: BaseException) -> str | None:
    """The one sentence for an error the user can act on, or None for a bug."""
    if isinstance(error, UserError):
        return error.sentence
    if isinstance(error, sqlite3.OperationalError) and "disk" in str(error).lower():
        return f"the disk refused the write ({error}); nothing was changed."
    if isinstance(error, OverflowError):
        return f"a number is too large to use ({error})."
    if isinstance(error, OSError) and error.filename is not None:
        # A file named on the command line (an output path, a folder) that the system refused.
        return f"cannot use {error.filename}: {error.strerror or error}."
    if isinstance(error, PermissionError):
        return f"permission denied: {error}."
    return None


def report(error: BaseException) -> int:
    """Print one sentence for `error` on stderr and return the exit code."""
    sentence = _sentence(error)
    if sentence is not None:
        click.echo(f"Error: {visible(sentence, lines=True)}", err=True)
        return 1
    where = log_traceback(error)
    click.echo(f"Error: unexpected {type(error).__name__}: {visible(error)}. Details in {where}.", err=True)
    return 2
