"""The `callsheet` command line: a stable contract that scripts and cron rely on.

Every command accepts `--db` before or after its name, every number it takes fits SQLite
(`tui.params`), and everything it prints passes `tui.output.neutralised()`.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from store.errors import UserError
from tui import output
from tui.context import CliContext, creates_workspace
from tui.errors import report
from tui.params import bounded

_DB_SEEN = "callsheet.db_option"
# click's shell completion: `eval "$(_CALLSHEET_COMPLETE=bash_source callsheet)"` in ~/.bashrc.
COMPLETE_VAR = "_CALLSHEET_COMPLETE"
_DB_HELP = "Database file (default: $CALLSHEET_DB, else the user data directory)."


# Each command's module is imported when that command runs (or --help lists it): `callsheet tui`
# loads none of the others. Name → "module:attribute".
LAZY_COMMANDS = {
    "campaign": "tui.commands.campaign:campaign",
    "demo": "tui.commands.demo:demo",
    "influencers": "tui.commands.influencers:influencers",
    "operator": "tui.commands.operator:operator",
    "segment": "tui.commands.segment:segment",
    **{name: f"tui.commands.pipeline:{name}" for name in ("invite", "apply", "decide", "undo",
                                                            "collaborate", "status")},
    "template": "tui.commands.templates:template",
    "trigger": "tui.commands.templates:trigger",
    "audit": "tui.commands.audit:audit",
    "export": "tui.commands.export:export",
    "plan": "tui.commands.plan:plan",
    "run": "tui.commands.run:run",
    "serve": "tui.commands.serve:serve",
    "moderation": "tui.commands.moderation:moderation_group",
    "import": "tui.commands.importing:import_group",
    "inbox": "tui.commands.inbox:inbox_command",
    **{name: f"tui.commands.inbox:{name}" for name in ("history", "note", "mark", "bookmark", "unmatched",
                                                         "attach")},
    "sync": "tui.commands.sync:sync_command",
    "bounces": "tui.commands.sync:bounces_group",
    "reply": "tui.commands.compose:reply",
    "compose": "tui.commands.compose:compose",
    "bulk": "tui.commands.compose:bulk",
    "dispatch": "tui.commands.dispatch:dispatch",
    "outbox": "tui.commands.dispatch:outbox",
    "unsubscribe": "tui.commands.unsubscribe:unsubscribe",
    "resubscribe": "tui.commands.unsubscribe:resubscribe",
    "pipeline": "tui.commands.pipeline_table:pipeline",
    "influencer": "tui.commands.influencer:influencer",
    "config": "tui.commands.config:config_group",
    "attachment": "tui.commands.attachment:attachment",
}
# Subcommands that live in another module: (group, "module:attribute").
LAZY_SUBCOMMANDS = {"campaign": ("tui.commands.sequence:sequence",)}


class CallsheetGroup(click.Group):
    """A click group that turns every error into one sentence and an exit code, and imports each
    command's module only when the command is wanted (`LAZY_COMMANDS`)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*super().list_commands(ctx), *(name for name in LAZY_COMMANDS if name not in self.commands)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in LAZY_COMMANDS:
            self.add_command(_load(cmd_name), cmd_name)
        return super().get_command(ctx, cmd_name)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        if os.environ.get(COMPLETE_VAR):
            # click's shell completion writes bytes (its script, then command and option names,
            # never stored text), which the neutralising stream refuses.
            return super().main(*args, **kwargs)
        try:
            with output.neutralised():
                return super().main(*args, **kwargs)
        finally:
            _flush_stdout()

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except BrokenPipeError:
            output.closed_pipe()  # the reader has gone, as with `| head`: end quietly
            ctx.exit(output.EXIT_CLOSED_PIPE)
        except Exception as error:  # noqa: BLE001 - the one place errors become sentences
            # A refused command leaves no new workspace; the app is never undone (its work is real).
            if (isinstance(error, UserError) and isinstance(ctx.obj, CliContext)
                    and ctx.invoked_subcommand not in (None, "tui")):
                ctx.obj.discard_new()
            ctx.exit(report(error))
        finally:
            if isinstance(ctx.obj, CliContext):
                ctx.obj.close()


def _flush_stdout() -> None:
    """Flush what is left now, so a reader that has gone never earns a traceback at exit."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        output.closed_pipe()
        sys.exit(output.EXIT_CLOSED_PIPE)


def _named_db(ctx: click.Context, _param: click.Parameter, value: Path | None) -> None:
    """`--db` given after a command's name: the same file as when given before it."""
    if value is None:
        return
    earlier = ctx.meta.get(_DB_SEEN)
    if earlier is not None and Path(earlier) != value:
        raise UserError(f"--db names two files ({earlier} and {value}); give one.")
    ctx.meta[_DB_SEEN] = value
    obj = ctx.find_object(CliContext)
    if obj is not None:
        obj.db_path, obj.explicit = value, True


def _db_option() -> click.Option:
    return click.Option(["--db"], type=click.Path(dir_okay=False, path_type=Path), expose_value=False,
                        callback=_named_db, help=_DB_HELP)


@click.group(cls=CallsheetGroup, invoke_without_command=True)
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), help=_DB_HELP)
@click.version_option(package_name="callsheet")
@click.pass_context
def main(ctx: click.Context, db_path: Path | None) -> None:
    """callsheet: influencer casting calls and outreach, from the terminal."""
    if db_path is not None:
        ctx.meta[_DB_SEEN] = db_path
    ctx.obj = CliContext.named(db_path)
    if ctx.invoked_subcommand is None:
        ctx.invoke(tui_command)


@main.command("tui")
@click.pass_obj
def tui_command(obj: CliContext) -> None:
    """Open the app."""
    from tui.app import make_app
    from tui.held_output import warnings_after_the_app

    app = make_app(obj.store)
    with output.unfiltered(), warnings_after_the_app():
        app.run()


def _imported(target: str) -> click.Command:
    module, attribute = target.split(":")
    command = getattr(importlib.import_module(module), attribute)
    assert isinstance(command, click.Command), target
    return command


def _load(name: str) -> click.Command:
    """The command `name`, its subcommands from other modules added, prepared as every command is."""
    command = _imported(LAZY_COMMANDS[name])
    for target in LAZY_SUBCOMMANDS.get(name, ()):
        assert isinstance(command, click.Group)
        command.add_command(_imported(target))
    _prepare(name, command)
    return command


def _tree(command: click.Command) -> Iterator[click.Command]:
    yield command
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            yield from _tree(sub)


def _prepare(name: str, command: click.Command) -> None:
    """Give the command (and each below it) `--db` and SQLite's bounds on every numeric parameter;
    mark those that may make a new workspace."""
    for each in _tree(command):
        each.params.append(_db_option())
        for param in each.params:
            param.type = bounded(param.type)
    for path in CREATING:
        if path[0] != name:
            continue
        marked = command
        for sub in path[1:]:
            marked = marked.commands[sub]  # type: ignore[attr-defined]
        creates_workspace(marked)


# The commands that may make a new workspace; every other one refuses where there is none.
CREATING = (("tui",), ("demo",), ("import", "influencers"), ("campaign", "create"), ("operator", "add"))

for _param in main.params:
    _param.type = bounded(_param.type)
_prepare("tui", tui_command)

if __name__ == "__main__":
    sys.exit(main())
