"""`callsheet sync` and the bounce inspector `callsheet bounces [show|clear]`."""

from __future__ import annotations

import click

from mailer.actions import inbox as inbox_actions
from store import bounces, influencers
from store.errors import UserError
from tui.context import CliContext
from tui.output import emit_json, emit_table


@click.command("sync")
@click.option("--json", "as_json", is_flag=True,
              help="Print fetched, matched, unmatched, bounces, unsubscribes as JSON.")
@click.pass_obj
def sync_command(obj: CliContext, as_json: bool) -> None:
    """Pull replies from the team's mailbox over IMAP (only what is new)."""
    synced = inbox_actions.sync_mail(obj.store)
    if as_json:
        emit_json(synced.report.to_json())
        return
    click.echo(synced.sentence)


@click.group("bounces", invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def bounces_group(ctx: click.Context, as_json: bool) -> None:
    """Bounced influencers (never emailed until cleared), then unverified delivery reports.

    A report that refers to no mail we sent them suppresses nobody: it is listed as unverified.
    """
    if ctx.invoked_subcommand is not None:
        return
    rows = bounces.inspector(ctx.obj.store.reader())
    if as_json:
        emit_json(rows)
        return
    emit_table(["handle", "email", "state", "reported", "reason"],
               [[r["handle"] or "", r["email"] or "", r["state"], r["reported_at"] or "",
                 (r["bounce_reason"] or "")[:70]] for r in rows])


@bounces_group.command("show")
@click.argument("handle")
@click.option("--raw", is_flag=True, help="Print the raw report as received.")
@click.pass_obj
def show(obj: CliContext, handle: str, raw: bool) -> None:
    """The latest bounce report for HANDLE."""
    db = obj.store.reader()
    influencer = influencers.get_by_handle(db, handle)
    report = bounces.report(db, influencer["id"])
    if report is None:
        raise UserError(f"There is no bounce report for {influencer['handle']}.")
    if raw and report["raw"] is not None:
        click.echo(bytes(report["raw"]).decode("utf-8", errors="replace"))
        return
    click.echo(f"{report['created_at']}  {report['from_addr'] or ''}\n{report['subject']}\n")
    click.echo(report["body"])


@bounces_group.command("clear")
@click.argument("handle")
@click.pass_obj
def clear(obj: CliContext, handle: str) -> None:
    """Clear a false positive: HANDLE may be emailed again."""
    click.echo(inbox_actions.clear_bounce(obj.store, handle).sentence)


COMMANDS = (sync_command, bounces_group)
