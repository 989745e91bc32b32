"""The `callsheet` command line: a stable contract that scripts and cron rely on.

Every command accepts `--db` before or after its name, every number it takes fits SQLite
(`tui.params`), and everything it prints passes `tui.output.neutralised()`.
"""

from __future__ import annotations

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
_DB_HELP = "Database file (default: $CALLSHEET_DB, else the user data directory)."


class CallsheetGroup(click.Group):
    """A click group that turns every error into one sentence and an exit code."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
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

    app = make_app(obj.store)
    with output.unfiltered():
        app.run()


def _commands(group: click.Group) -> Iterator[click.Command]:
    for command in group.commands.values():
        yield command
        if isinstance(command, click.Group):
            yield from _commands(command)


def _share_params(root: click.Group) -> None:
    """Give every command `--db`, and every numeric parameter SQLite's bounds."""
    for command in _commands(root):
        command.params.append(_db_option())
    for command in (root, *_commands(root)):
        for param in command.params:
            param.type = bounded(param.type)


# The commands that may make a new workspace; every other one refuses where there is none.
CREATING = (("tui",), ("demo",), ("import", "influencers"), ("campaign", "create"), ("operator", "add"))


def _mark_creating(root: click.Group) -> None:
    for path in CREATING:
        command: click.Command = root
        for name in path:
            command = command.commands[name]  # type: ignore[attr-defined]
        creates_workspace(command)


def _register() -> None:
    from tui.commands import (
        audit,
        campaign,
        compose,
        demo,
        dispatch,
        export,
        importing,
        inbox,
        influencer,
        influencers,
        moderation,
        operator,
        pipeline,
        pipeline_table,
        plan,
        run,
        segment,
        sequence,
        serve,
        sync,
        templates,
        unsubscribe,
    )

    for command in (campaign.campaign, demo.demo, influencers.influencers, operator.operator,
                    segment.segment, *pipeline.COMMANDS, *templates.COMMANDS, *audit.COMMANDS,
                    *export.COMMANDS, plan.plan, run.run, serve.serve, moderation.moderation_group,
                    importing.import_group, *inbox.COMMANDS, *sync.COMMANDS, *compose.COMMANDS,
                    dispatch.dispatch, dispatch.outbox, *unsubscribe.COMMANDS,
                    pipeline_table.pipeline, *influencer.COMMANDS):
        main.add_command(command)
    campaign.campaign.add_command(sequence.sequence)
    _mark_creating(main)
    _share_params(main)


_register()

if __name__ == "__main__":
    sys.exit(main())
