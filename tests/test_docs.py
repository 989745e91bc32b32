"""The README documents every command and option (the CLI is a contract)."""

from __future__ import annotations

from pathlib import Path

import click

from tui.cli import main

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    """Every command below `group`, the lazily imported ones loaded (as `--help` lists them)."""
    found = []
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, name
        path = f"{prefix}{name}"
        found.append((path, command))
        if isinstance(command, click.Group):
            found.extend(_commands(command, f"{path} "))
    return found


def test_every_command_is_documented() -> None:
    missing = [path for path, _ in _commands(main) if f"callsheet {path}" not in README]
    assert missing == []


def test_every_option_is_documented() -> None:
    missing = []
    for path, command in [("", main), *_commands(main)]:
        for param in command.params:
            for option in getattr(param, "opts", []):
                if option.startswith("--") and option not in README:
                    missing.append(f"{path} {option}")
    assert missing == []
