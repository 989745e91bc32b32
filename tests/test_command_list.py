"""`callsheet --help` (and each group's) as a new user reads it: every command's one line ends whole."""

from __future__ import annotations

import click
import pytest

from tui.cli import main

# click cuts a docstring's first sentence at about 45 characters; these endings mean it cut mid-thought.
DANGLING = ("e.g.", ":...", "e.g....", ", e.g.")


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    found = []
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, name
        found.append((f"{prefix}{name}", command))
        if isinstance(command, click.Group):
            found.extend(_commands(command, f"{prefix}{name} "))
    return found


@pytest.mark.parametrize(("path", "command"), _commands(main), ids=lambda value: value
                         if isinstance(value, str) else "")
def test_the_one_line_help_does_not_end_mid_thought(path: str, command: click.Command) -> None:
    line = command.get_short_help_str(limit=45)
    assert line and not line.endswith(DANGLING), f"callsheet {path}: {line!r}"
