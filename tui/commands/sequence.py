"""`callsheet campaign sequence NAME`: the welcome, its stop rules and the follow-up days."""

from __future__ import annotations

import dataclasses

import click

from store import campaigns
from store import sequence as steps
from store.outreach_rules.sequence import SequenceSettings, parse_followups
from tui.context import CliContext
from tui.output import emit_json


@click.command("sequence")
@click.argument("name")
@click.option("--welcome/--no-welcome", default=None, help="Send a welcome the day after an accept.")
@click.option("--stop-if-ongoing/--no-stop-if-ongoing", default=None,
              help="Skip the welcome if the sender wrote to them in between.")
@click.option("--stop-if-incoming/--no-stop-if-incoming", default=None,
              help="Skip the welcome if they wrote in between.")
@click.option("--followups", metavar="DAYS", help="Follow-up day offsets after the welcome, e.g. 3,7 "
              "('none' for no follow-ups).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def sequence(obj: CliContext, name: str, welcome: bool | None, stop_if_ongoing: bool | None,
             stop_if_incoming: bool | None, followups: str | None, as_json: bool) -> None:
    """Show or change campaign NAME's sequence after an accepted invitation."""
    store = obj.store
    changes = {key: value for key, value in (("welcome", welcome), ("stop_if_ongoing", stop_if_ongoing),
                                             ("stop_if_incoming", stop_if_incoming)) if value is not None}
    if followups is not None:
        changes["followups"] = parse_followups(followups)
    if changes:
        with store.write() as db:
            store.require("manage_campaign")
            campaign = campaigns.get(db, name)
            settings = dataclasses.replace(SequenceSettings.of(campaign), **changes)
            steps.save_settings(db, campaign, settings, now=store.now_iso(), actor=store.actor)
    else:
        campaign = campaigns.get(store.reader(), name)
        settings = SequenceSettings.of(campaign)
    if as_json:
        emit_json({"campaign": campaign["name"], **dataclasses.asdict(settings),
                   "followups": list(settings.followups)})
    else:
        click.echo(f"{campaign['name']}: {settings.describe()}.")
