"""`plan --dry-run --days N`: who would get what, when, under which window and cap — writing nothing.

Days already planned show what is really queued; the others are drafted by the
planner's own `draft_day`, each day excluding those drafted before it, so the
preview is what later planning does if nothing changes in between. Welcomes and
follow-ups show the stop rule that would fire if they were due now.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta

from mailer.outreach import planner
from mailer.outreach.sequence import step_times, stop_reason
from mailer.templating.drafting import Renderer
from store import outreach
from store import sequence as steps
from store.campaigns import Campaign, planning_block, zone
from store.clock import from_iso, iso
from store.database import Database
from store.outreach_rules import schedule

HELD = "held: the campaign is paused"


@dataclass(frozen=True)
class Preview:
    """One message that would go out, as the dry run shows it."""

    date: str
    at: str
    local_time: str
    campaign: str
    window: str
    cap: str
    handle: str
    kind: str
    language: str | None
    length: int | None
    note: str

    def as_dict(self) -> dict:
        return asdict(self)


def _when(moment: datetime, campaign: Campaign) -> tuple[str, str, str]:
    tz = zone(campaign.timezone)
    local = moment.astimezone(tz)
    window = next((str(s.window) for s in schedule.slots_on(local.date(), campaign.windows, tz)
                   if s.contains(moment)), "outside the windows")
    return local.date().isoformat(), local.strftime("%H:%M %Z"), window


def _invitations(db: Database, campaign: Campaign, day: date, now: datetime, renderer: Renderer,
                 exclude: set[int]) -> list[Preview]:
    if outreach.plan_run(db, campaign.id, day.isoformat()):
        found = outreach.planned_invitations(db, campaign.id, day.isoformat())
        return [_planned_row(campaign, row, n, len(found)) for n, row in enumerate(found, 1)]
    if planning_block(campaign):
        return []
    plan = planner.draft_day(db, campaign, day, now, renderer, exclude)
    exclude.update(invitation.influencer_id for invitation in plan.invitations)
    previews = []
    for n, invitation in enumerate(plan.invitations, 1):
        local_day, local_time, window = _when(invitation.send_at, campaign)
        text = invitation.draft
        previews.append(Preview(local_day, iso(invitation.send_at), local_time, campaign.name, window,
                                f"{plan.already + n}/{plan.cap}", invitation.handle, "invitation",
                                text.language, text.length, ", ".join(text.flags) or "would be planned"))
    return previews


def _planned_row(campaign: Campaign, row: dict, n: int, total: int) -> Preview:
    local_day, local_time, window = _when(from_iso(row["scheduled_at"]), campaign)
    flags = json.loads(row["flags"])
    note = f"{row['status']}" + (f" ({', '.join(flags)})" if flags else "")
    if campaign.status == "paused":
        note += f"; {HELD}"
    return Preview(local_day, row["scheduled_at"], local_time, campaign.name, window,
                   f"{n}/{campaign.daily_cap}", row["handle"], "invitation", row["language"],
                   len(row["body"].strip()), note)


def _sequence(db: Database, campaign: Campaign, start: datetime, end: datetime) -> list[Preview]:
    previews = []
    for row in steps.upcoming_steps(db, iso(start), iso(end)):
        if row["campaign_id"] != campaign.id:
            continue
        rule = stop_reason(db, row, campaign)
        note = f"would stop: {rule}" if rule else "would be sent"
        local_day, local_time, window = _when(from_iso(row["scheduled_at"]), campaign)
        previews.append(Preview(local_day, row["scheduled_at"], local_time, campaign.name, window, "",
                                row["handle"], row["kind"], row["language"], row["length"],
                                HELD if campaign.status == "paused" else note))
    for application in steps.pending_accepts(db):
        if application["campaign_id"] != campaign.id:
            continue
        handle = db.execute("SELECT handle FROM influencers WHERE id = ?",
                            (application["influencer_id"],)).fetchone()[0]
        for kind, due in step_times(campaign, from_iso(steps.accept_time(db, application))):
            if start <= due < end:
                local_day, local_time, window = _when(due, campaign)
                previews.append(Preview(local_day, iso(due), local_time, campaign.name, window, "",
                                        handle, kind, None, None, "accepted; not scheduled yet"))
    return previews


def preview(db: Database, now: datetime, days: int, renderer: Renderer, *, first: date | None = None,
            campaign: str | None = None) -> list[Preview]:
    """Everything the next `days` days would send, in time order."""
    first = first or planner.default_day(db, now, campaign)
    previews: list[Preview] = []
    for live in outreach.live_campaigns(db, campaign):
        tz = zone(live.timezone)
        exclude: set[int] = set()
        for offset in range(days):
            previews += _invitations(db, live, first + timedelta(days=offset), now, renderer, exclude)
        start = max(schedule.day_span(first, tz)[0], now)
        end = schedule.day_span(first + timedelta(days=days - 1), tz)[1]
        previews += _sequence(db, live, start, end)
    return sorted(previews, key=lambda p: (p.at, p.campaign, p.handle))


def notes(db: Database, campaign: str | None = None) -> list[str]:
    """Why campaigns plan nothing (paused, no segment…): what the dry run says besides its rows."""
    return [block for live in outreach.live_campaigns(db, campaign) if (block := planning_block(live))]
