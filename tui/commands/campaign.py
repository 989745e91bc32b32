"""`callsheet campaign create | edit | list | show | pause | resume | close | reopen`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from mailer.actions import campaigns as campaign_actions
from store import campaigns
from store.campaigns import CampaignSpec
from store.errors import UserError
from tui.context import CliContext
from tui.output import emit_json, emit_table
from tui.visible import visible

F = TypeVar("F", bound=Callable[..., Any])


@click.group()
def campaign() -> None:
    """Manage casting calls."""


def _languages(_ctx: click.Context, _param: click.Parameter, value: str | None) -> list[str] | None:
    return None if value is None else [part.strip() for part in value.split(",")]


# (flags, create's default, click keywords): one list for `create` and `edit`, so the two never
# drift apart. `edit` gives every option a default of None, meaning "keep the stored value".
_SETTINGS: list[tuple[tuple[str, ...], Any, dict[str, Any]]] = [
    (("--program",), "", {"help": "Program or brand line."}),
    (("--description",), "", {"help": "What the campaign is about."}),
    (("--brief",), "", {"help": "The brief shown to influencers."}),
    (("--sender", "sender"), None, {"metavar": "EMAIL", "help": "From-address of the campaign's mail."}),
    (("--sender-name",), "", {"help": "Display name for the sender."}),
    (("--budget",), None, {"type": float, "help": "Total budget."}),
    (("--currency",), "EUR", {}),
    (("--min-followers",), 0, {"type": int, "help": "Minimum followers for self-applicants."}),
    (("--min-engagement",), 0.0, {"type": float, "metavar": "PCT",
                                  "help": "Minimum engagement rate (percent) for self-applicants."}),
    (("--opens",), None, {"metavar": "DATE", "help": "Opening date (campaign time zone)."}),
    (("--closes",), None, {"metavar": "DATETIME",
                           "help": "Closing date or time; the campaign closes itself."}),
    (("--timezone",), "UTC", {"help": "IANA time zone."}),
    (("--window", "windows"), None, {"multiple": True, "metavar": "SPEC",
                                     "help": "Execution window, e.g. 'mon-fri 09:00-18:00' (repeatable)."}),
    (("--daily-cap",), 50, {"type": int, "help": "Invitations per day."}),
    (("--moderation/--no-moderation",), True, {"help": "Review invitations before they are sent."}),
    (("--segment",), "", {"metavar": "QUERY",
                          "help": "Who to invite, in the query syntax (segment:NAME for a saved one)."}),
    (("--languages",), "en", {"callback": _languages, "help": "Languages, e.g. 'fr,en'."}),
    (("--requires-agreement/--no-agreement",), False, {"help": "Candidates must sign an agreement."}),
    (("--agreement-days",), 3, {"type": int, "help": "Days to sign the agreement."}),
    (("--invite-limit",), 300, {"type": int, "help": "Maximum characters of a rendered invitation."}),
]


def _settings(*, editing: bool) -> Callable[[F], F]:
    """Every campaign setting as click options: with create's defaults, or 'not given' for edit."""
    def decorate(command: F) -> F:
        for flags, default, keywords in reversed(_SETTINGS):
            extra: dict[str, Any]
            if editing:
                extra = {"default": None} if not keywords.get("multiple") else {}
            else:
                extra = {"default": default, "show_default": default not in ("", None)}
            command = click.option(*flags, **keywords, **extra)(command)
        return command
    return decorate


@campaign.command("create")
@click.argument("name")
@_settings(editing=False)
@click.option("--json", "as_json", is_flag=True, help="Print the campaign as JSON.")
@click.pass_obj
def create(obj: CliContext, name: str, windows: tuple[str, ...], as_json: bool, **options: Any) -> None:
    """Create the casting call NAME."""
    spec = CampaignSpec(name=name, windows=list(windows) or [campaigns.DEFAULT_WINDOW], **options)
    created = campaign_actions.create(obj.store, spec)
    if as_json:
        emit_json(created.campaign.to_json())
    else:
        click.echo(created.sentence)


@campaign.command("edit")
@click.argument("name")
@click.option("--name", "new_name", metavar="NEW", help="Rename the campaign.")
@_settings(editing=True)
@click.option("--json", "as_json", is_flag=True, help="Print the campaign and what changed as JSON.")
@click.pass_obj
def edit(obj: CliContext, name: str, new_name: str | None, windows: tuple[str, ...], as_json: bool,
         **options: Any) -> None:
    """Change NAME's settings: only the options given change (managers only). Unsent invitations are
    re-timed to new windows, zone or cap, and re-checked against a new invite limit."""
    given = {key: value for key, value in options.items() if value is not None}
    if windows:
        given["windows"] = list(windows)
    if new_name is not None:
        given["name"] = new_name
    if not given:
        raise UserError("Nothing to change: give at least one option, e.g. --daily-cap 20 "
                        "(see `callsheet campaign edit --help`).")
    edited = campaign_actions.edit(obj.store, name, given)
    if as_json:
        emit_json({**edited.campaign.to_json(), "changes": {
            key: {"from": before, "to": after} for key, (before, after) in edited.changes.items()},
            "retimed": edited.retimed, "flagged": edited.flagged, "unflagged": edited.unflagged})
    else:
        click.echo(visible(edited.sentence))


@campaign.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def list_(obj: CliContext, as_json: bool) -> None:
    """List every campaign."""
    rows = campaigns.listing(obj.store.reader())
    if as_json:
        emit_json([r.to_json() for r in rows])
        return
    if not rows:
        click.echo("No campaigns yet: create one with `callsheet campaign create NAME`.")
        return
    emit_table(("name", "status", "timezone", "cap", "candidates", "closes"),
               [(r.name, visible(campaigns.state_text(r)), r.timezone, r.daily_cap, r.candidates,
                 r.closes_at or "") for r in rows])


@campaign.command("show")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def show(obj: CliContext, name: str, as_json: bool) -> None:
    """Show one campaign's settings."""
    from mailer.config import load_public_url
    from mailer.web.links import RELATIVE_HINT, apply_url

    campaign = campaigns.get(obj.store.reader(), name)
    public_url = load_public_url()
    row = {**campaign.to_json(), "apply_url": apply_url(campaign.apply_token, public_url)}
    if as_json:
        emit_json(row)
        return
    row = {"state": visible(campaigns.state_text(campaign)), **row}
    if row["apply_url"] and not public_url:
        row["apply_url"] += f"  ({RELATIVE_HINT})"
    width = max(len(key) for key in row)
    for key, value in row.items():
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        click.echo(f"{key.ljust(width)}  {'' if value is None else value}")


@campaign.command("pause")
@click.argument("name")
@click.option("--reason", default="", help="Why, kept with the pause (it always names who paused).")
@click.pass_obj
def pause(obj: CliContext, name: str, reason: str) -> None:
    """Stop planning and sending for NAME; its queue is kept (managers only)."""
    click.echo(visible(campaign_actions.pause(obj.store, name, reason).sentence))


@campaign.command("resume")
@click.argument("name")
@click.pass_obj
def resume(obj: CliContext, name: str) -> None:
    """Plan and send for NAME again, whoever paused it (a person or the circuit breaker; managers only)."""
    click.echo(visible(campaign_actions.resume(obj.store, name).sentence))


@campaign.command("close", short_help="Close NAME now, as its closing time would.")
@click.argument("name")
@click.pass_obj
def close(obj: CliContext, name: str) -> None:
    """Close NAME now, as its closing time would: no new candidates, unsent outreach skipped
    (managers only)."""
    click.echo(visible(campaign_actions.close(obj.store, name).sentence))


@campaign.command("reopen")
@click.argument("name")
@click.option("--closes", required=True, metavar="DATETIME",
              help="The new closing date or time (campaign time zone), in the future.")
@click.pass_obj
def reopen(obj: CliContext, name: str, closes: str) -> None:
    """Open the closed campaign NAME again until --closes; refused once its collaboration started
    (managers only)."""
    click.echo(visible(campaign_actions.reopen(obj.store, name, closes).sentence))
