"""The `callsheet` command line: a stable contract that scripts and cron rely on."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from tui.context import CliContext, default_db_path
from tui.errors import report


class CallsheetGroup(click.Group):
    """A click group that turns every error into one sentence and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except Exception as error:  # noqa: BLE001 - the one place errors become sentences
            ctx.exit(report(error))
        finally:
            if isinstance(ctx.obj, CliContext):
                ctx.obj.close()


@click.group(cls=CallsheetGroup, invoke_without_command=True)
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Database file (default: $CALLSHEET_DB, else the user data directory).")
@click.version_option(package_name="callsheet")
@click.pass_context
def main(ctx: click.Context, db_path: Path | None) -> None:
    """callsheet: influencer casting calls and outreach, from the terminal."""
    ctx.obj = CliContext(db_path or default_db_path())
    if ctx.invoked_subcommand is None:
        ctx.invoke(tui_command)


@main.command("tui")
@click.pass_obj
def tui_command(obj: CliContext) -> None:
    """Open the app."""
    from tui.app import make_app

    make_app(obj.store).run()


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
        influencers,
        moderation,
        operator,
        pipeline,
        plan,
        run,
        segment,
        sequence,
        sync,
        templates,
        unsubscribe,
    )

    for command in (campaign.campaign, demo.demo, influencers.influencers, operator.operator,
                    segment.segment, *pipeline.COMMANDS, *templates.COMMANDS, *audit.COMMANDS,
                    *export.COMMANDS, plan.plan, run.run, moderation.moderation_group,
                    importing.import_group, *inbox.COMMANDS, *sync.COMMANDS, *compose.COMMANDS,
                    dispatch.dispatch, dispatch.outbox, *unsubscribe.COMMANDS):
        main.add_command(command)
    campaign.campaign.add_command(sequence.sequence)


_register()

if __name__ == "__main__":
    sys.exit(main())
