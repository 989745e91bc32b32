"""`callsheet invite | apply | decide | undo | collaborate | status`: the casting pipeline."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC

import click

from mailer.actions import invitations, pipeline
from mailer.actions.invitations import InvitationPreview, InvitedMany, InviteSource
from mailer.actions.pipeline import Moved
from store import campaigns, clicks, stages, suggest
from store.counters import by_stage, counters
from store.errors import UserError
from store.moves import Move
from store.wording import plural as _plural
from tui.context import CliContext
from tui.output import confirm, emit_json
from tui.times import shown_time
from tui.visible import visible


def _report(done: Moved, as_json: bool) -> None:
    """One line per application and the action's sentence, which sums up the emails."""
    if as_json:
        emit_json([_public(m) for m in done.moves])
        return
    for line in done.lines:
        click.echo(line)
    click.echo(done.sentence)


def _public(move: Move) -> dict:
    row = asdict(move)
    row["from_stage"], row["to_stage"] = move.from_stage, move.to_stage
    return {key: value for key, value in row.items() if key != "extra"}


SHOWN_SKIPS = 50


@click.command("invite")
@click.argument("campaign")
@click.argument("handles", nargs=-1)
@click.option("--query", help="Invite whoever this query matches, e.g. 'tag:beauty followers>=10k'.")
@click.option("--segment", "segment_name", metavar="NAME", help="Invite whoever the saved segment matches.")
@click.option("--from-campaign", metavar="OTHER", help="Invite the people of another campaign.")
@click.option("--stage", help="With --from-campaign: only its people at this stage, e.g. 'in campaign'.")
@click.option("--limit", type=int, help="Invite at most this many (the first by handle).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def invite(obj: CliContext, campaign: str, handles: tuple[str, ...], query: str | None,
           segment_name: str | None, from_campaign: str | None, stage: str | None, limit: int | None,
           yes: bool, as_json: bool) -> None:
    """Invite HANDLEs, or everyone a --query, --segment or --from-campaign names, to CAMPAIGN.

    They appear whatever their numbers; from a source, the suppressed and those already in the
    pipeline are skipped and listed, and you are asked first.
    """
    many = query is not None or segment_name is not None or from_campaign is not None
    if not handles or many or stage is not None or limit is not None:
        if handles:
            raise UserError("Invite from exactly one of handles, --query, --segment or --from-campaign.")
        _invite_many(obj, campaign, InviteSource(query=query or "", segment=segment_name or "",
                                                 campaign=from_campaign or "", stage=stage or "",
                                                 limit=limit), yes, as_json)
        return
    _report(pipeline.invite(obj.store, campaign, list(handles)), as_json)


def _invite_many(obj: CliContext, campaign: str, source: InviteSource, yes: bool, as_json: bool) -> None:
    """Show whom the source names and who is skipped, ask, then invite them all at once."""
    preview = invitations.preview_invitations(obj.store, campaign, source)
    if not preview.count:
        raise UserError(preview.nobody())
    if not as_json:
        _list_skipped(preview)
        click.echo(visible(preview.summary))
    confirm(visible(preview.question),
            f"Nothing changed: inviting {_plural(preview.count, 'influencer')} sends their invitations; "
            f"confirm on a terminal or pass --yes.", yes)
    done = invitations.invite_many(obj.store, campaign, source)
    if as_json:
        emit_json(_many_json(done))
        return
    _report(done, False)


def _list_skipped(preview: InvitationPreview) -> None:
    for skip in preview.skipped[:SHOWN_SKIPS]:
        click.echo(f"skipped @{visible(skip.handle)}: {visible(skip.reason)}")
    if len(preview.skipped) > SHOWN_SKIPS:
        click.echo(f"… and {len(preview.skipped) - SHOWN_SKIPS} more skipped.")


def _many_json(done: InvitedMany) -> dict:
    return {"invited": [_public(m) for m in done.moves],
            "skipped": [{"handle": s.handle, "reason": s.reason} for s in done.skipped]}


@click.command("apply")
@click.argument("campaign")
@click.argument("handle")
@click.option("--fee", type=float, help="The fee the candidate asks for.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def apply(obj: CliContext, campaign: str, handle: str, fee: float | None, as_json: bool) -> None:
    """Record HANDLE's application to CAMPAIGN (or their yes to an invitation)."""
    _report(pipeline.apply(obj.store, campaign, handle, fee), as_json)


@click.command("decide", short_help="Accept, reject, shortlist… HANDLEs in CAMPAIGN.")
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
    handles, decision = _handles_and_decision(campaign, words)
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
    _report(pipeline.decide(obj.store, campaign, handles, decision, grace_seconds=grace), as_json)


def _handles_and_decision(campaign: str, words: tuple[str, ...]) -> tuple[list[str], str]:
    """HANDLE... DECISION, with a sentence that shows the order when the decision is elsewhere."""
    if len(words) < 2:
        raise UserError("Name at least one handle and a decision, e.g. `decide Spring @ana accept`.")
    *handles, last = words
    if _as_decision(last) in stages.DECISIONS:
        return handles, stages.parse_decision(last)
    misplaced = next((word for word in handles if _as_decision(word) in stages.DECISIONS), None)
    if misplaced is not None:
        others = " ".join(word for word in words if word != misplaced)
        raise UserError(f"The decision comes after the handles: `callsheet decide {campaign!r} {others} "
                        f"{_as_decision(misplaced)}`.")
    close = suggest.closest(last, stages.DECISIONS)
    if close is not None:
        raise UserError(f"Unknown decision {last!r}; did you mean {close!r}?")
    return handles, stages.parse_decision(last)  # its sentence lists every decision


def _as_decision(word: str) -> str:
    return word.strip().lower().replace("_", "-")


@click.command("undo")
@click.argument("campaign")
@click.argument("handle")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def undo(obj: CliContext, campaign: str, handle: str, as_json: bool) -> None:
    """Take back the last decision on HANDLE while its email has not left."""
    _report(pipeline.undo(obj.store, campaign, handle), as_json)


@click.command("collaborate")
@click.argument("campaign")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def collaborate(obj: CliContext, campaign: str, yes: bool, as_json: bool) -> None:
    """Start the collaboration, once: selected go in campaign, the undecided are rejected."""
    preview = pipeline.preview_collaboration(obj.store, campaign)
    confirm(f"Start the collaboration of {preview.campaign!r}: {preview.joining} in campaign "
            f"(congratulations), {preview.leaving} undecided rejected (bummer)? This runs once and is final.",
            "Nothing changed: starting the collaboration is final; confirm on a terminal or pass --yes.",
            yes)
    _report(pipeline.collaborate(obj.store, campaign), as_json)


@click.command("status")
@click.argument("campaign")
@click.option("--json", "as_json", is_flag=True, help="The counters as one JSON object.")
@click.pass_obj
def status(obj: CliContext, campaign: str, as_json: bool) -> None:
    """The dashboard counters of CAMPAIGN."""
    db = obj.store.reader()
    chosen = campaigns.get(db, campaign)
    numbers = counters(db, chosen) | clicks.campaign_numbers(db, chosen.id)
    if as_json:
        emit_json({key: numbers[key] for key in numbers if key != "budget_used"})
        return
    budget = (f"{numbers['budget_used']:g} of {chosen.budget:g} {chosen.currency} "
              f"({numbers['budget_used_pct']}%)" if chosen.budget else "no budget set")
    click.echo(f"{'state':<15} {visible(campaigns.state_text(chosen))}")
    for label, value in (("all candidates", numbers["all_candidates"]),
                         ("new applicants", numbers["new_applicants"]),
                         ("in campaign", numbers["in_campaign"]), ("rejected", numbers["rejected"]),
                         ("all invited", numbers["invited"]), ("all applicants", numbers["applicants"]),
                         ("budget used", budget), ("clicks", _clicks_text(numbers)),
                         ("click rate", _click_rate_text(numbers)),
                         ("last update", _utc(numbers["last_update"]))):
        click.echo(f"{label:<15} {value}")
    stages_line = ", ".join(f"{stages.label(s)} {n}" for s, n in by_stage(db, chosen.id).items() if n)
    click.echo(f"{'by stage':<15} {stages_line or 'empty pipeline'}")


def _utc(instant: str | None) -> str:
    """The app's time format with its zone (--json keeps the ISO instant)."""
    return f"{shown_time(instant, UTC)} UTC" if instant else "never"


def _clicks_text(numbers: dict) -> str:
    return f"{numbers['clicks']} by {_plural(numbers['clickers'], 'person', 'people')}"


def _click_rate_text(numbers: dict) -> str:
    """People who clicked, of the people sent a message with a tracked link."""
    if not numbers["tracked_recipients"]:
        return "no tracked links sent"
    return (f"{numbers['click_rate']}% ({numbers['clickers']} of "
            f"{_plural(numbers['tracked_recipients'], 'person', 'people')} sent a tracked link)")


COMMANDS = (invite, apply, decide, undo, collaborate, status)
