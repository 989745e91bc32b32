"""The sweep before dispatching: due outreach never leaves outside its campaign's windows.

After the clock jumps past a window's end (a suspended laptop, a stopped daemon, a
test stepping time), the rest of the day's queue would all be due at once: instead
it moves into the next window, spread across it, and is flagged `retimed`.
"""

from __future__ import annotations

from datetime import datetime
from itertools import groupby

from sqlite_utils import Database

from mailer import schedule
from store import audit, campaigns, outreach
from store.campaigns import zone
from store.clock import iso
from store.db import Store
from store.wording import plural


def _retime_campaign(db: Database, campaign: dict, rows: list[dict], now: datetime) -> str | None:
    tz = zone(campaign["timezone"])
    if schedule.is_open(now, campaign["windows"], tz):
        return None
    slot = schedule.next_open(now, campaign["windows"], tz)
    if slot is None:
        return None
    times = schedule.spread([slot], len(rows), not_before=now)
    moved = sum(outreach.retime(db, row["id"], iso(when), slot.day.isoformat(), iso(now))
                for row, when in zip(rows, times, strict=True))
    if not moved:
        return None
    audit.record(db, at=iso(now), actor="callsheet", action="outreach.retime", entity="campaign",
                 entity_id=campaign["id"], campaign_id=campaign["id"], moved=moved,
                 to=iso(slot.start), window=str(slot.window))
    return (f"retime {campaign['name']}: {moved} due outside the window moved to "
            f"{slot.start.astimezone(tz):%Y-%m-%d %H:%M %Z} ({slot.window})")


def sweep(store: Store, now: datetime | None = None) -> list[str]:
    """Retime due outreach that would leave outside its windows, and skip closed campaigns' queue."""
    now = now or store.clock.now()
    lines = []
    with store.write() as db:
        for campaign_id, count in outreach.cancel_closed(db, iso(now)):
            name = campaigns.get_by_id(db, campaign_id)["name"]
            audit.record(db, at=iso(now), actor="callsheet", action="outreach.cancel", entity="campaign",
                         entity_id=campaign_id, campaign_id=campaign_id, skipped=count)
            lines.append(f"closed {name}: {plural(count, 'unsent outreach message')} skipped")
        due = outreach.overdue(db, iso(now))
        for campaign_id, rows in groupby(due, key=lambda row: row["campaign_id"]):
            line = _retime_campaign(db, campaigns.get_by_id(db, campaign_id), list(rows), now)
            if line:
                lines.append(line)
    return lines
