"""`callsheet campaign sequence NAME`: the welcome, its stop rules and the follow-up days."""

from __future__ import annotations

import dataclasses

import click

from mailer.actions import outreach
from store import campaigns
from store.outreach_rules.sequence import SequenceSettings
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
    if any(value is not None for value in (welcome, stop_if_ongoing, stop_if_incoming, followups)):
        saved = outreach.set_sequence(store, name, welcome=welcome, stop_if_ongoing=stop_if_ongoing,
                                      stop_if_incoming=stop_if_incoming, followups=followups)
        shown, settings, sentence = saved.campaign, saved.settings, saved.sentence
    else:
        campaign = campaigns.get(store.reader(), name)
        shown, settings = campaign.name, SequenceSettings.of(campaign)
        sentence = outreach.sequence_sentence(shown, settings)
    if as_json:
        emit_json({"campaign": shown, **dataclasses.asdict(settings), "followups": list(settings.followups)})
    else:
        click.echo(sentence)
