"""`callsheet --help` (and each group's) as a new user reads it: every command's one line ends whole."""

from __future__ import annotations

import click
import pytest

from tests.test_docs import _commands  # every command, the lazily imported ones loaded
from tui.cli import main

# click cuts a docstring's first sentence at about 45 characters; these endings mean it cut mid-thought.
DANGLING = ("e.g.", ":...", "e.g....", ", e.g.")


@pytest.mark.parametrize(("path", "command"), _commands(main), ids=lambda value: value
                         if isinstance(value, str) else "")
def test_the_one_line_help_does_not_end_mid_thought(path: str, command: click.Command) -> None:
    line = command.get_short_help_str(limit=45)
    assert line and not line.endswith(DANGLING), f"callsheet {path}: {line!r}"
