"""The planner's rules: which window time a campaign may use on a day, between its opening and closing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from store.outreach_rules.schedule import Slot, slots_on
from store.outreach_rules.windows import Window


def open_slots(day: date, windows: Sequence[Window], tz: ZoneInfo, opens: datetime | None,
               closes: datetime | None) -> list[Slot]:
    """The day's window occurrences, cut to start no earlier than `opens` and end by `closes`."""
    cut = []
    for slot in slots_on(day, windows, tz):
        start = max(slot.start, opens) if opens else slot.start
        end = min(slot.end, closes) if closes else slot.end
        if end > start:
            cut.append(Slot(slot.window, day, start, end))
    return cut
