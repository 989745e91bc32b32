"""The sweep before dispatching: due outreach never leaves outside its campaign's windows.
Also: fitting a campaign's unsent invitations to its settings after an edit.

After the clock jumps past a window's end (a suspended laptop, a stopped daemon, a
test stepping time), the rest of the day's queue would all be due at once: instead
it moves into the next window, spread across it, and is flagged `retimed`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, timedelta
from itertools import groupby
from zoneinfo import ZoneInfo

from mailer.outreach.planner import campaign_slots
from store import audit, campaign_edit, campaigns, outreach
from store.campaigns import Campaign, zone
from store.clock import from_iso, iso
from store.database import Database
from store.db import Store
from store.outreach_rules import schedule
from store.wording import plural


def _move(db: Database, campaign: Campaign, rows: list[dict],
          now: datetime) -> tuple[int, schedule.Slot | None]:
    """Spread `rows` from now over the window open now or the next one; (how many moved, that window)."""
    slot = schedule.next_open(now, campaign.windows, zone(campaign.timezone))
    if slot is None:
        return 0, None
    times = schedule.spread([slot], len(rows), not_before=now)
    moved = sum(outreach.retime(db, row["id"], iso(when), slot.day.isoformat(), iso(now))
                for row, when in zip(rows, times, strict=True))
    if moved:
        audit.record(db, at=iso(now), actor="callsheet", action="outreach.retime", entity="campaign",
                     entity_id=campaign.id, campaign_id=campaign.id, moved=moved,
                     to=iso(max(slot.start, now)), window=str(slot.window))
    return moved, slot


def _retime_campaign(db: Database, campaign: Campaign, rows: list[dict], now: datetime) -> str | None:
    tz = zone(campaign.timezone)
    if schedule.is_open(now, campaign.windows, tz):
        return None
    moved, slot = _move(db, campaign, rows, now)
    if not moved or slot is None:
        return None
    return (f"retime {campaign.name}: {moved} due outside the window moved to "
            f"{slot.start.astimezone(tz):%Y-%m-%d %H:%M %Z} ({slot.window})")


def after_pause(db: Database, campaign: Campaign, now: datetime) -> int:
    """Spread what fell due while the campaign was paused from now over its current or next window,
    so a resume continues at the campaign's pace instead of sending the backlog at once."""
    rows = [row for row in outreach.overdue(db, iso(now)) if row["campaign_id"] == campaign.id]
    return _move(db, campaign, rows, now)[0] if rows else 0


def after_edit(db: Database, campaign: Campaign, now: datetime) -> int:
    """Fit the campaign's unsent invitations to its windows, zone and daily cap as they are now: each
    outside a window, or past a day's cap, moves to the next day with room, spread over its windows
    as the planner would. Returns how many moved."""
    tz = zone(campaign.timezone)
    fitting: Counter[date] = Counter()
    displaced: list[dict] = []
    taken = _taken_by_others(db, campaign, tz)
    for row in campaign_edit.unsent_invitations(db, campaign.id):
        when = from_iso(row["scheduled_at"])
        day = schedule.local_date(when, tz)
        inside = schedule.slot_at(when, campaign_slots(campaign, day)) is not None
        if inside and taken(day) + fitting[day] < campaign.daily_cap:
            fitting[day] += 1
        else:
            displaced.append(row)
    moved = 0
    day = schedule.local_date(now, tz)
    for _ in range(schedule.HORIZON_DAYS if displaced and campaign.daily_cap > 0 else 0):
        slots = campaign_slots(campaign, day)
        room = campaign.daily_cap - taken(day) - fitting[day]
        if slots and room > 0 and schedule.open_seconds(slots, now) > 0:
            batch, displaced = displaced[:room], displaced[room:]
            times = schedule.spread(slots, len(batch), not_before=now)
            moved += sum(outreach.retime(db, row["id"], iso(when), day.isoformat(), iso(now))
                         for row, when in zip(batch, times, strict=True))
            fitting[day] += len(batch)
        if not displaced:
            break
        day += timedelta(days=1)
    if moved:
        audit.record(db, at=iso(now), actor="callsheet", action="outreach.retime", entity="campaign",
                     entity_id=campaign.id, campaign_id=campaign.id, moved=moved, reason="campaign.edit")
    return moved


def _taken_by_others(db: Database, campaign: Campaign, tz: ZoneInfo) -> Callable[[date], int]:
    """A day's invitations that are not unsent (sent, skipped…): they count against its cap, and are
    read before anything moves so the count stays that of the campaign as it was."""
    unsent: Counter[date] = Counter(
        schedule.local_date(from_iso(row["scheduled_at"]), tz)
        for row in campaign_edit.unsent_invitations(db, campaign.id))
    cache: dict[date, int] = {}

    def taken(day: date) -> int:
        if day not in cache:
            start, end = schedule.day_span(day, tz)
            cache[day] = outreach.invitations_between(db, campaign.id, iso(start), iso(end)) - unsent[day]
        return cache[day]
    return taken


def cancel_closed(db: Database, now: datetime) -> list[str]:
    """Skip the unsent outreach of closed campaigns, each skip audited; one line per campaign."""
    lines = []
    for campaign_id, count in outreach.cancel_closed(db, iso(now)):
        name = campaigns.get_by_id(db, campaign_id).name
        audit.record(db, at=iso(now), actor="callsheet", action="outreach.cancel", entity="campaign",
                     entity_id=campaign_id, campaign_id=campaign_id, skipped=count)
        lines.append(f"closed {name}: {plural(count, 'unsent outreach message')} skipped")
    return lines


def sweep(store: Store, now: datetime | None = None) -> list[str]:
    """Retime due outreach that would leave outside its windows, and skip closed campaigns' queue."""
    now = now or store.clock.now()
    with store.write() as db:
        lines = cancel_closed(db, now)
        due = outreach.overdue(db, iso(now))
        for campaign_id, rows in groupby(due, key=lambda row: row["campaign_id"]):
            line = _retime_campaign(db, campaigns.get_by_id(db, campaign_id), list(rows), now)
            if line:
                lines.append(line)
    return lines
