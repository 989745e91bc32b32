"""`callsheet invite | apply | decide | undo | collaborate | status`: the casting pipeline."""

from __future__ import annotations

from dataclasses import asdict

import click

from mailer import pipeline
from store import campaigns, stages
from store.counters import by_stage, counters
from store.errors import UserError
from store.moves import Move
from store.wording import plural as _plural
from tui.context import CliContext
from tui.output import confirm, emit_json
from tui.visible import visible

PAST = {"accept": "Accepted", "reject": "Rejected", "shortlist": "Shortlisted", "decline": "Declined",
        "send-agreement": "Sent the agreement to", "signed": "Marked as signed",
        "refused": "Marked as refused"}


def _report(moves: list[Move], headline: str, as_json: bool) -> None:
    """One line per application and a summary of the emails."""
    if as_json:
        emit_json([_public(m) for m in moves])
        return
    for move in moves:
        click.echo(move.describe())
    emails: dict[str, int] = {}
    for move in moves:
        if move.email_status:
            emails[move.email_status] = emails.get(move.email_status, 0) + 1
    mail = ", ".join(f"{count} {status}" for status, count in sorted(emails.items()))
    click.echo(f"{headline}{'; emails: ' + mail if mail else '; no email'}.")


def _public(move: Move) -> dict:
    row = asdict(move)
    row["from_stage"], row["to_stage"] = move.from_stage, move.to_stage
    return {key: value for key, value in row.items() if key != "extra"}


@click.command("invite")
@click.argument("campaign")
@click.argument("handles", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def invite(obj: CliContext, campaign: str, handles: tuple[str, ...], as_json: bool) -> None:
    """Invite influencers to CAMPAIGN (they appear whatever their numbers)."""
    moves = pipeline.invite(obj.store, campaign, list(handles))
    _report(moves, f"Invited {_plural(len(moves), 'influencer')} to {campaign!r}", as_json)


@click.command("apply")
@click.argument("campaign")
@click.argument("handle")
@click.option("--fee", type=float, help="The fee the candidate asks for.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def apply(obj: CliContext, campaign: str, handle: str, fee: float | None, as_json: bool) -> None:
    """Record HANDLE's application to CAMPAIGN (or their yes to an invitation)."""
    move = pipeline.apply(obj.store, campaign, handle, fee)
    _report([move], f"Recorded the application of @{move.handle} to {campaign!r}", as_json)


@click.command("decide")
@click.argument("campaign")
@click.argument("words", nargs=-1, required=True, metavar="HANDLE... DECISION")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--grace", type=int, default=0, show_default=True, metavar="SECONDS",
              help="Hold accept/reject emails this long, so `undo` can take the decision back.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def decide(obj: CliContext, campaign: str, words: tuple[str, ...], yes: bool, grace: int,
           as_json: bool) -> None:
    """Move HANDLEs through the pipeline: accept|reject|shortlist|decline|send-agreement|signed|refused."""
    if len(words) < 2:
        raise UserError("Name at least one handle and a decision, e.g. `decide Spring @ana accept`.")
    *handles, decision = words
    decision = stages.parse_decision(decision)
    check = pipeline.check_decision(obj.store, campaign, handles, decision)
    if check.problems:
        raise UserError(check.refusal())
    count = len(check.ready)
    if decision in stages.IRREVERSIBLE:
        held = f" (held {grace} s for undo)" if grace else ""
        confirm(f"{decision.capitalize()} {_plural(count, 'application')} in {campaign!r} and send their "
                f"emails{held}? This is final.",
                f"Nothing changed: {decision}ing {_plural(count, 'application')} is final; "
                f"confirm on a terminal or pass --yes.", yes)
    moves = pipeline.decide(obj.store, campaign, handles, decision, grace_seconds=grace)
    _report(moves, f"{PAST[decision]} {_plural(len(moves), 'application')} in {campaign!r}", as_json)


@click.command("undo")
@click.argument("campaign")
@click.argument("handle")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def undo(obj: CliContext, campaign: str, handle: str, as_json: bool) -> None:
    """Take back the last decision on HANDLE while its email has not left."""
    move = pipeline.undo(obj.store, campaign, handle)
    _report([move], f"Undid the last decision on @{move.handle}", as_json)


@click.command("collaborate")
@click.argument("campaign")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def collaborate(obj: CliContext, campaign: str, yes: bool, as_json: bool) -> None:
    """Start the collaboration, once: selected go in campaign, the undecided are rejected."""
    db = obj.store.reader()
    row = campaigns.get(db, campaign)
    if row["collaborated_at"]:
        raise UserError(f"The collaboration of {row['name']!r} already started on {row['collaborated_at']}; "
                        "it runs only once.")
    counts = by_stage(db, row["id"])
    joining = counts[stages.SIGNED] + counts[stages.IN_CAMPAIGN]
    leaving = sum(counts[s] for s in stages.UNDECIDED)
    confirm(f"Start the collaboration of {row['name']!r}: {joining} in campaign (congratulations), "
            f"{leaving} undecided rejected (bummer)? This runs once and is final.",
            "Nothing changed: starting the collaboration is final; confirm on a terminal or pass --yes.",
            yes)
    moves = pipeline.collaborate(obj.store, campaign)
    joined = sum(m.via == "collaborate-in" for m in moves)
    _report(moves, f"Started the collaboration of {row['name']!r}: {joined} in campaign, "
            f"{len(moves) - joined} rejected", as_json)


@click.command("status")
@click.argument("campaign")
@click.option("--json", "as_json", is_flag=True, help="The counters as one JSON object.")
@click.pass_obj
def status(obj: CliContext, campaign: str, as_json: bool) -> None:
    """The dashboard counters of CAMPAIGN."""
    db = obj.store.reader()
    row = campaigns.get(db, campaign)
    numbers = counters(db, row)
    if as_json:
        emit_json({key: numbers[key] for key in numbers if key != "budget_used"})
        return
    budget = (f"{numbers['budget_used']:g} of {row['budget']:g} {row['currency']} "
              f"({numbers['budget_used_pct']}%)" if row["budget"] else "no budget set")
    click.echo(f"{'state':<15} {visible(campaigns.state_text(row))}")
    for label, value in (("all candidates", numbers["all_candidates"]),
                         ("new applicants", numbers["new_applicants"]),
                         ("in campaign", numbers["in_campaign"]), ("rejected", numbers["rejected"]),
                         ("all invited", numbers["invited"]), ("all applicants", numbers["applicants"]),
                         ("budget used", budget), ("last update", numbers["last_update"])):
        click.echo(f"{label:<15} {value}")
    stages_line = ", ".join(f"{stages.label(s)} {n}" for s, n in by_stage(db, row["id"]).items() if n)
    click.echo(f"{'by stage':<15} {stages_line or 'empty pipeline'}")


COMMANDS = (invite, apply, decide, undo, collaborate, status)
