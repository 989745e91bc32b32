"""Outreach as a person does it: plan a day, preview the coming days, moderate the queue, set the sequence.

Each function is one verb: it opens the write (or, for the plan, lets the planner engine
open its own short one after drafting on a read connection), checks the role, does the
work through `mailer.outreach.moderation` / `mailer.outreach.planner`, wakes the dispatcher when mail became
due, and returns an `Outcome` whose sentence the CLI prints and the Moderation screen shows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from mailer.actions.outcome import Outcome, acting, permit, woke
from mailer.outreach import dryrun, moderation, planner
from mailer.templating.drafting import Renderer
from store import campaigns
from store import moderation as queue
from store import sequence as steps
from store.db import Store
from store.errors import UserError
from store.moderation import Invitation
from store.outreach_rules.sequence import SequenceSettings, parse_followups
from store.wording import plural

# -- the daily plan ----------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Planned(Outcome):
    """What `plan` did: one line per campaign for the date planned."""

    day: date
    results: tuple[planner.PlanResult, ...]

    @property
    def planned(self) -> int:
        return sum(result.planned for result in self.results)

    @property
    def flagged(self) -> int:
        return sum(result.flagged for result in self.results)


def _plan_line(result: planner.PlanResult) -> str:
    if result.skipped:
        return result.note + "."
    head = f"{result.campaign}, {result.day:%a %Y-%m-%d}: "
    if result.already_planned:
        return head + "already planned; nothing new."
    line = head + f"planned {plural(result.planned, 'invitation')}"
    line += f" ({result.flagged} flagged)" if result.flagged else ""
    return line + (f"; {result.note}." if result.note else ".")


def plan(store: Store, day: date | None = None, *, campaign: str | None = None,
         renderer: Renderer | None = None) -> Planned:
    """Fill the moderation queue for `day` (default: the next window day), every open campaign or one.

    The role is checked before the planner drafts; the planner writes in its own short
    transaction so that drafting (segment queries, rendering) holds no lock.
    """
    permit(store, "manage_campaign")
    day, results = planner.plan(store, day, campaign=campaign, renderer=renderer)
    lines = [_plan_line(result) for result in results] or ["No open campaign to plan."]
    outcome = Planned(sentence="\n".join(lines), day=day, results=tuple(results))
    return woke(store, outcome, outcome.planned - outcome.flagged)


@dataclass(frozen=True, kw_only=True)
class Previewed(Outcome):
    """What `plan --dry-run` would send, day by day; nothing was written."""

    first: date
    days: int
    previews: tuple[dryrun.Preview, ...]
    notes: tuple[str, ...]


def dry_run(store: Store, day: date | None = None, *, days: int = 1, campaign: str | None = None,
            renderer: Renderer | None = None) -> Previewed:
    """Everything the next `days` days would send, from `day` (default: the next window day)."""
    if days < 1 or days > 366:
        raise UserError(f"--days takes a number of days from 1 to 366 (got {days}).")
    permit(store, "read")
    reader, now = store.reader(), store.clock.now()
    first = day or planner.default_day(reader, now, campaign)
    previews = tuple(dryrun.preview(reader, now, days, renderer or Renderer.default(), first=first,
                                    campaign=campaign))
    if previews:
        sentence = (f"Dry run: {plural(len(previews), 'message')} over {plural(days, 'day')} from {first}; "
                    "nothing was written.")
    else:
        sentence = f"Nothing would be sent in the {plural(days, 'day')} from {first}."
    return Previewed(sentence=sentence, first=first, days=days, previews=previews,
                     notes=tuple(dryrun.notes(reader, campaign)))


# -- moderation ----------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Decided(Outcome):
    """A bulk decision (skip, unskip, approve): the invitations done, and why the others were not."""

    done: list[int]
    refused: dict[int, str]

    def describe(self, verb: str) -> str:
        return moderation.describe(verb, self.done, self.refused)


def _decide(store: Store, verb: str, decision: moderation.Decision, ids: Iterable[int]) -> Decided:
    with acting(store, "moderate") as db:
        now = store.now_iso()
        done, refused = moderation.each(db, ids, decision, now=now, actor=store.actor)
        due = queue.due_now(db, done, now)
    return woke(store, Decided(sentence=moderation.describe(verb, done, refused), done=done,
                               refused=refused), due)


def skip(store: Store, ids: Iterable[int]) -> Decided:
    """Skip invitations: they will not be sent (until unskipped)."""
    return _decide(store, "Skipped", moderation.skip_one, ids)


def unskip(store: Store, ids: Iterable[int]) -> Decided:
    """Put skipped invitations back: they go out at their time (flagged ones still wait for a fix)."""
    return _decide(store, "Unskipped", moderation.unskip_one, ids)


def approve(store: Store, ids: Iterable[int]) -> Decided:
    """Mark invitations as reviewed; flagged or skipped ones are left for an edit or an unskip."""
    return _decide(store, "Approved", moderation.approve_one, ids)


def _counted(row: Invitation) -> str:
    """An invitation's rendered length against its limit: '12/60 characters'."""
    return f"{row.length}/{row.invite_limit} characters"


def _flags(row: Invitation) -> str:
    return f" ({', '.join(row.flags)})" if row.flags else ""


@dataclass(frozen=True, kw_only=True)
class Relanguaged(Outcome):
    """Invitations re-rendered in another language; `rows` as they are now."""

    rows: tuple[Invitation, ...]

    @property
    def row(self) -> Invitation:
        return self.rows[-1]

    @property
    def short(self) -> str:
        """The Moderation screen's line (the CLI's names the invitation)."""
        if len(self.rows) == 1:
            return f"Now in {self.row.language}: {_counted(self.row)}."
        return f"Changed the language of {len(self.rows)} invitations."


def relanguage(store: Store, changes: Sequence[tuple[int, str]],
               renderer: Renderer | None = None) -> Relanguaged:
    """Re-render each (invitation, language) in one transaction; refused whole if one cannot change."""
    if not changes:
        raise UserError("Nothing to do here.")
    renderer = renderer or Renderer.default()
    with acting(store, "moderate") as db:
        now = store.now_iso()
        rows = tuple(moderation.relanguage_one(db, message_id, language, renderer, now=now, actor=store.actor)
                     for message_id, language in changes)
        due = queue.due_now(db, [row.id for row in rows], now)
    last = rows[-1]
    sentence = f"#{last.id} is now in {last.language}: {_counted(last)}{_flags(last)}."
    return woke(store, Relanguaged(sentence=sentence, rows=rows), due)


@dataclass(frozen=True, kw_only=True)
class Edited(Outcome):
    """One invitation's text replaced; `row` as it is now (held when over the limit)."""

    row: Invitation

    @property
    def short(self) -> str:
        """The Moderation screen's line (the CLI's names the invitation and its status)."""
        held = " — over the limit, held until it fits" if "over_limit" in self.row.flags else ""
        return f"Saved: {_counted(self.row)}{held}."


def edit(store: Store, message_id: int, subject: str | None, body: str,
         renderer: Renderer | None = None) -> Edited:
    """Replace one invitation's template (subject None: keep it) and re-render it for its recipient."""
    renderer = renderer or Renderer.default()
    with acting(store, "moderate") as db:
        now = store.now_iso()
        row = moderation.edit_one(db, message_id, subject, body, renderer, now=now, actor=store.actor)
        due = queue.due_now(db, [message_id], now)
    sentence = f"#{message_id} edited: {_counted(row)}, {row.status}{_flags(row)}."
    return woke(store, Edited(sentence=sentence, row=row), due)


# -- the sequence after an accept ----------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class SequenceSet(Outcome):
    """A campaign's welcome, stop rules and follow-up days, as saved."""

    campaign: str
    settings: SequenceSettings


def set_sequence(store: Store, name: str, *, welcome: bool | None = None,
                 stop_if_ongoing: bool | None = None, stop_if_incoming: bool | None = None,
                 followups: str | None = None) -> SequenceSet:
    """Change what campaign `name` sends after an accepted invitation; None leaves a setting as it is."""
    days = parse_followups(followups) if followups is not None else None
    with acting(store, "manage_campaign") as db:
        campaign = campaigns.get(db, name)
        current = SequenceSettings.of(campaign)
        settings = SequenceSettings(
            current.welcome if welcome is None else welcome,
            current.stop_if_ongoing if stop_if_ongoing is None else stop_if_ongoing,
            current.stop_if_incoming if stop_if_incoming is None else stop_if_incoming,
            current.followups if days is None else days)
        steps.save_settings(db, campaign, settings, now=store.now_iso(), actor=store.actor)
    return SequenceSet(sentence=sequence_sentence(campaign.name, settings), campaign=campaign.name,
                       settings=settings)


def sequence_sentence(campaign: str, settings: SequenceSettings) -> str:
    """The line `campaign sequence` prints, whether it changed the settings or only shows them."""
    return f"{campaign}: {settings.describe()}."
