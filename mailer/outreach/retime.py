"""The sweep before dispatching: due outreach never leaves outside its campaign's windows.

After the clock jumps past a window's end (a suspended laptop, a stopped daemon, a
test stepping time), the rest of the day's queue would all be due at once: instead
it moves into the next window, spread across it, and is flagged `retimed`.
"""

from __future__ import annotations

from datetime import datetime
from itertools import groupby

from sqlite_utils import Database

from store import audit, campaigns, outreach
from store.campaigns import Campaign, zone
from store.clock import iso
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


def sweep(store: Store, now: datetime | None = None) -> list[str]:
    """Retime due outreach that would leave outside its windows, and skip closed campaigns' queue."""
    now = now or store.clock.now()
    lines = []
    with store.write() as db:
        for campaign_id, count in outreach.cancel_closed(db, iso(now)):
            name = campaigns.get_by_id(db, campaign_id).name
            audit.record(db, at=iso(now), actor="callsheet", action="outreach.cancel", entity="campaign",
                         entity_id=campaign_id, campaign_id=campaign_id, skipped=count)
            lines.append(f"closed {name}: {plural(count, 'unsent outreach message')} skipped")
        due = outreach.overdue(db, iso(now))
        for campaign_id, rows in groupby(due, key=lambda row: row["campaign_id"]):
            line = _retime_campaign(db, campaigns.get_by_id(db, campaign_id), list(rows), now)
            if line:
                lines.append(line)
    return lines
