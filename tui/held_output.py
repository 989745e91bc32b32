"""What a command would print just before a full-screen app, printed after it instead.

A line printed before the app is hidden behind it while it runs, and where the terminal has no
alternate screen (GNU screen's default, tmux with `alternate-screen off`) the app draws over it:
lost either way. A warning raised while the app runs would go to a screen the app owns. Both are
kept and printed once the terminal is the shell's again.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click

from tui.output import raw

CLEAR_BELOW = "\x1b[J"  # erase from the cursor to the end of the screen


class HeldLines:
    """Lines kept until `release` (printed at once when not holding: no app follows)."""

    def __init__(self, echo: Callable[[str], None] = click.echo, *, hold: bool = True) -> None:
        self.echo = echo
        self.hold = hold
        self.lines: list[str] = []

    def say(self, line: str) -> None:
        if self.hold:
            self.lines.append(line)
        else:
            self.echo(line)

    def release(self) -> None:
        """Print what was kept, in order, once; on a terminal, first erase what an app without an
        alternate screen left below the cursor, so the lines do not mix with its last frame."""
        lines, self.lines = self.lines, []
        if lines and sys.stdout.isatty():
            terminal = raw(sys.stdout)
            terminal.write(CLEAR_BELOW)
            terminal.flush()
        for line in lines:
            self.echo(line)


@contextmanager
def warnings_after_the_app() -> Iterator[None]:
    """Warnings raised while inside are printed (to stderr, one line each) after it, not under the app."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        try:
            yield
        finally:
            shown = list(caught)
    for warning in shown:
        click.echo(f"warning: {warning.message}", err=True)
