"""Filling a day's invitation queue: up to the cap, from the segment, spread across the windows.

`draft_day` decides (reads only); `plan` writes what it decided, once per campaign
and local date, so running it twice plans nothing new and two planners never both do.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from mailer.templating.drafting import Draft, Renderer, draft
from store import audit, outreach
from store.campaigns import Campaign, planning_block, zone
from store.clock import from_iso, iso
from store.database import Database
from store.db import Store
from store.errors import UserError
from store.outbox.queueing import SYSTEM_AUTHOR, enqueue
from store.outreach_rules import schedule
from store.outreach_rules.planning import open_slots
from store.outreach_rules.windows import Window


@dataclass(frozen=True)
class Invitation:
    """One invitation as planned: who, when, under which window, rendered."""

    influencer_id: int
    handle: str
    to_addr: str
    send_at: datetime
    window: Window
    draft: Draft


@dataclass
class DayPlan:
    """What the planner would write for one campaign on one local date."""

    campaign: Campaign
    day: date
    cap: int
    already: int = 0
    invitations: list[Invitation] = field(default_factory=list)
    note: str = ""

    @property
    def flagged(self) -> int:
        return sum(1 for invitation in self.invitations if invitation.draft.blocked)


@dataclass(frozen=True)
class PlanResult:
    """What `plan` did for one campaign and date."""

    campaign: str
    day: date
    planned: int
    flagged: int
    already_planned: bool = False
    note: str = ""
    skipped: bool = False  # the campaign plans nothing at all; `note` says why


def campaign_slots(campaign: Campaign, day: date) -> list[schedule.Slot]:
    """The day's window occurrences, cut to the campaign's opening and closing times."""
    opens = from_iso(campaign.opens_at) if campaign.opens_at else None
    closes = from_iso(campaign.closes_at) if campaign.closes_at else None
    return open_slots(day, campaign.windows, zone(campaign.timezone), opens, closes)


def draft_day(db: Database, campaign: Campaign, day: date, now: datetime, renderer: Renderer,
              exclude: Iterable[int] = ()) -> DayPlan:
    """Choose and render the day's invitations without writing anything."""
    plan = DayPlan(campaign, day, campaign.daily_cap)
    slots = campaign_slots(campaign, day)
    if not slots:
        plan.note = "no window that day"
        return plan
    if schedule.open_seconds(slots, now) <= 0:
        plan.note = "the day's windows are over"
        return plan
    start, end = schedule.day_span(day, zone(campaign.timezone))
    plan.already = outreach.invitations_between(db, campaign.id, iso(start), iso(end))
    room = max(0, plan.cap - plan.already)
    where = outreach.segment_filter(db, campaign.segment, now)
    people = outreach.candidates(db, campaign, where, room, exclude)
    times = schedule.spread(slots, len(people), not_before=now)
    for person, send_at in zip(people, times, strict=True):
        slot = schedule.slot_at(send_at, slots) or slots[0]
        plan.invitations.append(Invitation(
            person["id"], person["handle"], person["email"], send_at, slot.window,
            draft(db, renderer, campaign, "invitation", person)))
    if len(people) < room:
        plan.note = f"the segment has only {len(people)} more to invite"
    return plan


def write_day(db: Database, plan: DayPlan, *, now: str, actor: str) -> PlanResult:
    """Insert the day's invitations (queued, or planned when flagged) and their applications.

    The plan was drafted outside this transaction: anyone invited, written to or suppressed
    since is dropped here rather than contacted twice.
    """
    campaign, day_text = plan.campaign, plan.day.isoformat()
    fresh = [i for i in plan.invitations if outreach.still_invitable(db, campaign.id, i.influencer_id)]
    flagged = sum(1 for invitation in fresh if invitation.draft.blocked)
    if not outreach.record_plan_run(db, campaign.id, day_text, len(fresh), flagged, now=now, actor=actor):
        return PlanResult(campaign.name, plan.day, 0, 0, already_planned=True)
    for invitation in fresh:
        text = invitation.draft
        message_id, _ = enqueue(
            db, now=now, kind="invitation", to_addr=invitation.to_addr,
            from_addr=campaign.sender_email or "", from_name=campaign.sender_name,
            subject=text.subject, body=text.body, body_html=text.body_html,
            influencer_id=invitation.influencer_id, campaign_id=campaign.id, language=text.language,
            status="planned" if text.blocked else "queued", scheduled_at=iso(invitation.send_at),
            flags=text.flags, author=SYSTEM_AUTHOR)
        outreach.set_plan_date(db, message_id, day_text)
        outreach.add_invited(db, campaign.id, invitation.influencer_id, now)
    audit.record(db, at=now, actor=actor, action="outreach.plan", entity="campaign",
                 entity_id=campaign.id, campaign_id=campaign.id, date=day_text,
                 planned=len(fresh), flagged=flagged, already=plan.already)
    return PlanResult(campaign.name, plan.day, len(fresh), flagged, note=plan.note)


def default_day(db: Database, now: datetime, campaign_name: str | None = None) -> date:
    """The next day on which a campaign's window opens (each campaign in its own zone; closed ones
    aside, unless it is the one named, so that it can say why it plans nothing)."""
    days = []
    for campaign in outreach.live_campaigns(db, campaign_name):
        tz = zone(campaign.timezone)
        day = schedule.next_window_day(schedule.local_date(now, tz), campaign.windows, tz)
        if day:
            days.append(day)
    if not days:
        raise UserError("No open campaign has a window coming up; nothing to plan.")
    return min(days)


def _skip_reason(db: Database, campaign: Campaign, day: date) -> PlanResult | None:
    block = planning_block(campaign)
    if block:
        return PlanResult(campaign.name, day, 0, 0, note=block, skipped=True)
    unreadable = outreach.unreadable_segment(db, campaign.segment)
    if unreadable:  # one campaign's broken segment must not stop the others' planning
        return PlanResult(campaign.name, day, 0, 0, skipped=True,
                          note=f"{campaign.name}'s segment cannot be read ({unreadable.rstrip('.')}): "
                               f"nothing is planned for it")
    if outreach.plan_run(db, campaign.id, day.isoformat()):
        return PlanResult(campaign.name, day, 0, 0, already_planned=True)
    return None


def plan_days(store: Store, targets: list[tuple[Campaign, date]], renderer: Renderer,
              now: datetime) -> list[PlanResult]:
    """Plan each (campaign, local date): drafted on a read connection, written in one short transaction.

    Drafting (segment queries, rendering) holds no lock; the write re-checks everything it relies on,
    so a concurrent planner or operator can never cause a second invitation.
    """
    reader = store.reader()
    results: dict[int, PlanResult] = {}
    drafts = []
    for position, (campaign, day) in enumerate(targets):
        skipped = _skip_reason(reader, campaign, day)
        if skipped:
            results[position] = skipped
        else:
            drafts.append((position, draft_day(reader, campaign, day, now, renderer)))
    if drafts:
        with store.write() as db:
            for position, day_plan in drafts:
                results[position] = write_day(db, day_plan, now=iso(now), actor=store.actor)
    return [results[position] for position in range(len(targets))]


def plan(store: Store, day: date | None = None, *, campaign: str | None = None,
         renderer: Renderer | None = None, now: datetime | None = None) -> tuple[date, list[PlanResult]]:
    """Plan `day` (default: the next window day) for every campaign not closed, or for one;
    a paused campaign, or one without a segment, gets a result that says why nothing was planned."""
    now = now or store.clock.now()
    renderer = renderer or Renderer.default()
    reader = store.reader()
    day = day or default_day(reader, now, campaign)
    return day, plan_days(store, [(c, day) for c in outreach.live_campaigns(reader, campaign)], renderer, now)
