"""`callsheet config path` and `callsheet config show`: where the settings live and what is in force."""

from __future__ import annotations

import click

from mailer.config import config_path
from mailer.config_view import Setting, config_view
from tui.context import CliContext
from tui.output import emit_json


@click.group("config")
def config_group() -> None:
    """Where the config file is and which settings are in force."""


@config_group.command("path")
def path_command() -> None:
    """Print the config file's path (whether or not it exists yet)."""
    click.echo(str(config_path()))


@config_group.command("show")
@click.option("--json", "as_json", is_flag=True, help="Print the settings as JSON.")
@click.pass_obj
def show(obj: CliContext, as_json: bool) -> None:
    """Print every setting in force and where it comes from; passwords are masked."""
    view = config_view()
    if as_json:
        emit_json({**view.as_json(), "database": str(obj.db_path)})
        return
    state = "missing: every setting at its default" if view.mode is None else f"mode {view.mode:04o}"
    click.echo(f"config file  {view.path} ({state})")
    click.echo(f"database     {obj.db_path}")
    section = None
    width = max((len(_line(each)) for each in view.settings), default=0)
    for each in view.settings:
        if each.section != section:
            section = each.section
            click.echo("\nset in the environment:" if section == "environment" else f"\n[{section}]")
        from_file = each.source == "config file" or each.section == "environment"
        click.echo(_line(each) if from_file else f"{_line(each):<{width}}  # from {each.source}")


def _line(setting: Setting) -> str:
    return f"{setting.key} = {setting.shown}"
