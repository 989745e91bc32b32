"""`callsheet campaign create | list | show | pause | resume`."""

from __future__ import annotations

import click

from mailer.actions import campaigns as campaign_actions
from store import campaigns
from store.campaigns import CampaignSpec
from tui.context import CliContext
from tui.output import emit_json, emit_table
from tui.visible import visible


@click.group()
def campaign() -> None:
    """Manage casting calls."""


def _languages(_ctx: click.Context, _param: click.Parameter, value: str) -> list[str]:
    return [part.strip() for part in value.split(",")]


@campaign.command("create")
@click.argument("name")
@click.option("--program", default="", help="Program or brand line.")
@click.option("--description", default="", help="What the campaign is about.")
@click.option("--brief", default="", help="The brief shown to influencers.")
@click.option("--sender", "sender", metavar="EMAIL", help="From-address of the campaign's mail.")
@click.option("--sender-name", default="", help="Display name for the sender.")
@click.option("--budget", type=float, help="Total budget.")
@click.option("--currency", default="EUR", show_default=True)
@click.option("--min-followers", type=int, default=0, help="Minimum followers for self-applicants.")
@click.option("--min-engagement", type=float, default=0.0, metavar="PCT",
              help="Minimum engagement rate (percent) for self-applicants.")
@click.option("--opens", metavar="DATE", help="Opening date (campaign time zone).")
@click.option("--closes", metavar="DATETIME", help="Closing date or time; the campaign closes itself.")
@click.option("--timezone", default="UTC", show_default=True, help="IANA time zone.")
@click.option("--window", "windows", multiple=True, metavar="SPEC",
              help="Execution window, e.g. 'mon-fri 09:00-18:00' (repeatable).")
@click.option("--daily-cap", type=int, default=50, show_default=True, help="Invitations per day.")
@click.option("--moderation/--no-moderation", default=True, show_default=True)
@click.option("--segment", default="", metavar="QUERY", help="Who to invite, in the query syntax.")
@click.option("--languages", default="en", callback=_languages, show_default=True)
@click.option("--requires-agreement", is_flag=True, help="Candidates must sign an agreement.")
@click.option("--agreement-days", type=int, default=3, show_default=True,
              help="Days to sign the agreement.")
@click.option("--invite-limit", type=int, default=300, show_default=True,
              help="Maximum characters of a rendered invitation.")
@click.option("--json", "as_json", is_flag=True, help="Print the campaign as JSON.")
@click.pass_obj
def create(obj: CliContext, name: str, windows: tuple[str, ...], as_json: bool, **options) -> None:
    """Create the casting call NAME."""
    spec = CampaignSpec(name=name, windows=list(windows) or [campaigns.DEFAULT_WINDOW], **options)
    created = campaign_actions.create(obj.store, spec)
    if as_json:
        emit_json(created.campaign.to_json())
    else:
        click.echo(created.sentence)


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
