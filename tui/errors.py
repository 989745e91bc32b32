"""Turning exceptions into what a person at a terminal should see."""

from __future__ import annotations

import logging
import os
import sqlite3
import sys
import traceback
from datetime import UTC, datetime
from pathlib import Path

import click

from store.errors import UserError
from tui.context import log_dir
from tui.visible import visible

# Tracebacks name files, queries and sometimes the data in them: only the owner reads them.
LOG_FILE_MODE = 0o600
LOG_DIR_MODE = 0o700


def _private_directory(directory: Path) -> None:
    """Create `directory` and any missing parents as 0700 whatever the umask; tighten it if it is ours."""
    missing = [parent for parent in (directory, *directory.parents) if not parent.exists()]
    for folder in reversed(missing):
        folder.mkdir(mode=LOG_DIR_MODE, exist_ok=True)
        os.chmod(folder, LOG_DIR_MODE)  # mkdir's mode is narrowed by the umask, never widened
    if directory.stat().st_uid == os.getuid():
        os.chmod(directory, LOG_DIR_MODE)


def _append(heading: str, text: str) -> str:
    """Append one entry to `errors.log` (0600, in a 0700 folder) and return the file's path."""
    directory = log_dir()
    _private_directory(directory)
    path = directory / "errors.log"
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, LOG_FILE_MODE)
    os.fchmod(fd, LOG_FILE_MODE)
    with os.fdopen(fd, "a", encoding="utf-8") as log:
        log.write(f"--- {datetime.now(UTC).isoformat()} {heading}\n{text}")
    return str(path)


def log_traceback(error: BaseException) -> str:
    """Append the full traceback to `errors.log` and return the file's path."""
    return _append(" ".join(sys.argv), "".join(traceback.format_exception(error)))


class ErrorsLog(logging.Handler):
    """Errors a logger reports with their traceback (the web pages' failures) kept in `errors.log`:
    a visitor sees one sentence, the operator finds the details where the app's own go."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)

    def emit(self, record: logging.LogRecord) -> None:
        details = "".join(traceback.format_exception(*record.exc_info)) if record.exc_info else ""
        try:
            _append(f"{record.name}: {record.getMessage()}", details or "\n")
        except OSError:
            self.handleError(record)


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


def where_logged(error: BaseException) -> str:
    """Log `error` and say where, or say why it could not be logged (never raises an OSError)."""
    try:
        return f"details in {log_traceback(error)}"
    except OSError as failure:
        return f"errors.log could not be written ({failure.strerror or failure})"


def app_sentence(error: BaseException) -> str:
    """The one sentence the app notifies for a failed worker; anything unexpected is logged first."""
    if isinstance(error, UserError):
        return error.sentence
    return f"Unexpected {type(error).__name__} ({error}), the app goes on; {where_logged(error)}."


def report(error: BaseException) -> int:
    """Print one sentence for `error` on stderr and return the exit code."""
    sentence = _sentence(error)
    if sentence is not None:
        click.echo(f"Error: {visible(sentence, lines=True)}", err=True)
        return 1
    where = log_traceback(error)
    click.echo(f"Error: unexpected {type(error).__name__}: {visible(error)}. Details in {where}.", err=True)
    return 2
