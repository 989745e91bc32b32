"""Printing results: plain tables for people, JSON for scripts, and nothing raw that could drive a terminal.

Every command's output reaches the terminal through `neutralised()` streams, so stored text (a
stranger's mail body, an insider's campaign name) is shown through `tui.visible` wherever a
command prints it; tables and JSON escape their cells themselves so their layout stays right.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TextIO

import click

from store.errors import UserError
from tui.visible import json_text, visible


def emit_json(payload: Any) -> None:
    """JSON that escapes control and bidi characters, as JSON does, and stays valid JSON."""
    click.echo(json_text(payload))


def emit_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """A left-aligned text table sized to its content; a cell never holds a control character."""
    cells = [[visible(v) for v in row] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(headers)]
    click.echo("  ".join(h.upper().ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
    for row in cells:
        click.echo("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())


class NeutralisingStream(io.TextIOBase):
    """A text stream that writes everything through `visible(lines=True)` to the stream it wraps."""

    def __init__(self, raw: TextIO) -> None:
        super().__init__()
        self.raw = raw

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.raw, "encoding", None) or "utf-8"

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return getattr(self.raw, "errors", None)

    @property
    def name(self) -> str:
        return getattr(self.raw, "name", "<neutralised>")

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        self.raw.write(visible(text, lines=True))
        return len(text)

    def flush(self) -> None:
        self.raw.flush()

    def isatty(self) -> bool:
        return self.raw.isatty()

    def fileno(self) -> int:
        return self.raw.fileno()


def raw(stream: TextIO) -> TextIO:
    """The terminal stream under `stream`, for the rare writer that sends control sequences itself."""
    return stream.raw if isinstance(stream, NeutralisingStream) else stream


@contextmanager
def neutralised() -> Iterator[None]:
    """Route stdout and stderr through `NeutralisingStream` for the duration."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = NeutralisingStream(raw(sys.stdout)), NeutralisingStream(raw(sys.stderr))
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


@contextmanager
def unfiltered() -> Iterator[None]:
    """The real streams back for the duration: the app draws the terminal itself, and neutralises its text."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = raw(sys.stdout), raw(sys.stderr)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


def confirm(question: str, refusal: str, yes: bool) -> None:
    """Ask before an action that cannot be taken back; with nobody to answer and no --yes, refuse."""
    if yes:
        return
    try:
        answered = click.confirm(question, default=False)
    except click.Abort:
        raise UserError(refusal) from None
    if not answered:
        raise UserError("Nothing changed: you did not confirm.")


EXIT_CLOSED_PIPE = 141  # what a shell reports for a Unix tool ended by SIGPIPE


def closed_pipe() -> None:
    """Point stdout at /dev/null, so Python's flush at exit cannot complain about the closed pipe."""
    try:
        descriptor = raw(sys.stdout).fileno()
    except (OSError, ValueError):
        return  # not a real file (a test runner's buffer): nothing will be flushed to a pipe
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, descriptor)
    os.close(devnull)
