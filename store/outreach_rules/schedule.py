"""When a campaign may send: its windows as real instants, DST-correct, as pure functions.

A window such as `mon-fri 09:00-18:00` is local wall-clock time in the campaign's
zone. Turning it into UTC instants follows these rules on daylight-saving days:
- a wall time that does not exist (the spring-forward gap, or a missing local
  midnight as in Atlantic/Azores on 2026-03-29) resolves to the instant the clocks
  jump, so nothing is ever planned at a local time that never happens;
- a window runs from the *first* time the clock shows its start to the *last*
  time it shows its end: on a fall-back day `01:00-03:00` in Europe/Paris holds
  three real hours, and each send time is one UTC instant, so nothing is sent
  twice in the repeated hour.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from store.outreach_rules.windows import Window

# How far ahead to look for the next window day before deciding there is none.
HORIZON_DAYS = 370


@dataclass(frozen=True)
class Slot:
    """One occurrence of a window on one local date, as a half-open UTC interval."""

    window: Window
    day: date
    start: datetime
    end: datetime

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


def _exists(wall: datetime, tz: ZoneInfo) -> bool:
    """Whether a naive local wall time happens at all in `tz` (it does not inside a gap)."""
    aware = wall.replace(tzinfo=tz)
    back = aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
    return back == wall


def _transition(earlier: datetime, later: datetime, tz: ZoneInfo) -> datetime:
    """The instant in (earlier, later] where the UTC offset changes to the later one."""
    target = later.astimezone(tz).utcoffset()
    low, high = earlier, later
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(tz).utcoffset() == target:
            high = middle
        else:
            low = middle
    return high.replace(microsecond=0)


def to_instant(day: date, at: time, tz: ZoneInfo, *, last: bool = False) -> datetime:
    """The UTC instant of local `day` `at`; a gap gives the jump, a repeat the first (or `last`) one."""
    wall = datetime.combine(day, at)
    if not _exists(wall, tz):
        before_jump = wall.replace(tzinfo=tz, fold=1).astimezone(UTC)
        after_jump = wall.replace(tzinfo=tz, fold=0).astimezone(UTC)
        return _transition(min(before_jump, after_jump), max(before_jump, after_jump), tz)
    return wall.replace(tzinfo=tz, fold=1 if last else 0).astimezone(UTC)


def day_span(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants [first, past-last) whose local date is `day` (works without a local midnight)."""
    return to_instant(day, time(0), tz), to_instant(day + timedelta(days=1), time(0), tz)


def local_date(moment: datetime, tz: ZoneInfo) -> date:
    return moment.astimezone(tz).date()


def slots_on(day: date, windows: Sequence[Window], tz: ZoneInfo) -> list[Slot]:
    """The occurrences of `windows` on local `day`, in time order; empty ones are dropped."""
    found = []
    for window in windows:
        if day.weekday() not in window.days:
            continue
        start = to_instant(day, window.start, tz)
        end = to_instant(day, window.end, tz, last=True)
        if end > start:
            found.append(Slot(window, day, start, end))
    return sorted(found, key=lambda slot: (slot.start, slot.end))


def _merged(slots: Iterable[Slot], not_before: datetime | None) -> list[tuple[datetime, datetime]]:
    """Disjoint UTC intervals covering the slots, cut to start no earlier than `not_before`."""
    spans: list[tuple[datetime, datetime]] = []
    for slot in sorted(slots, key=lambda s: s.start):
        start = max(slot.start, not_before) if not_before else slot.start
        if start >= slot.end:
            continue
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], slot.end))
        else:
            spans.append((start, slot.end))
    return spans


def open_seconds(slots: Iterable[Slot], not_before: datetime | None = None) -> float:
    return sum((end - start).total_seconds() for start, end in _merged(slots, not_before))


def spread(slots: Iterable[Slot], count: int, not_before: datetime | None = None) -> list[datetime]:
    """`count` send times spread evenly over the open time of `slots`, the first at the opening.

    With a step of (open time / count), the last one is due one step before the close.
    """
    spans = _merged(slots, not_before)
    total = sum((end - start).total_seconds() for start, end in spans)
    if count <= 0 or total <= 0:
        return []
    step = total / count
    times = []
    span_index, passed = 0, 0.0
    for k in range(count):
        offset = k * step
        while offset >= passed + (spans[span_index][1] - spans[span_index][0]).total_seconds():
            passed += (spans[span_index][1] - spans[span_index][0]).total_seconds()
            span_index += 1
        moment = spans[span_index][0] + timedelta(seconds=offset - passed)
        times.append(moment.replace(microsecond=0))
    return times


def slot_at(moment: datetime, slots: Iterable[Slot]) -> Slot | None:
    """The slot containing `moment`, if any."""
    return next((slot for slot in slots if slot.contains(moment)), None)


def is_window_day(day: date, windows: Sequence[Window], tz: ZoneInfo) -> bool:
    return bool(slots_on(day, windows, tz))


def window_day_from(day: date, windows: Sequence[Window], tz: ZoneInfo) -> date | None:
    """The first local date on or after `day` on which a window opens."""
    for offset in range(HORIZON_DAYS):
        candidate = day + timedelta(days=offset)
        if slots_on(candidate, windows, tz):
            return candidate
    return None


def next_window_day(after: date, windows: Sequence[Window], tz: ZoneInfo) -> date | None:
    """The first local date strictly after `after` on which a window opens."""
    return window_day_from(after + timedelta(days=1), windows, tz)


def next_open(moment: datetime, windows: Sequence[Window], tz: ZoneInfo) -> Slot | None:
    """The slot `moment` is in, else the next one to open (None: the windows never open)."""
    day = local_date(moment, tz) - timedelta(days=1)
    for offset in range(HORIZON_DAYS):
        for slot in slots_on(day + timedelta(days=offset), windows, tz):
            if slot.end > moment:
                return slot
    return None


def is_open(moment: datetime, windows: Sequence[Window], tz: ZoneInfo) -> bool:
    slot = next_open(moment, windows, tz)
    return slot is not None and slot.contains(moment)


def first_opening(day: date, windows: Sequence[Window], tz: ZoneInfo) -> datetime | None:
    """When the first window opens on `day`, or the next window day after it."""
    window_day = window_day_from(day, windows, tz)
    if window_day is None:
        return None
    return slots_on(window_day, windows, tz)[0].start


def welcome_due(accepted_at: datetime, windows: Sequence[Window], tz: ZoneInfo) -> datetime | None:
    """The next window day after the accept, at its first window's opening (not accept + 24 h)."""
    return first_opening(local_date(accepted_at, tz) + timedelta(days=1), windows, tz)


def followup_dues(base_day: date, offsets: Sequence[int], windows: Sequence[Window], tz: ZoneInfo
                  ) -> list[datetime]:
    """Each follow-up `offset` days after `base_day`, at the first window opening from then on.

    A step moved to a later window day (past a weekend) pushes the steps after it, so they keep
    their order and the gap between their offsets: two follow-ups never share a window day.
    """
    dues: list[datetime] = []
    previous_day, previous_offset = base_day, 0
    for offset in offsets:
        due = first_opening(previous_day + timedelta(days=offset - previous_offset), windows, tz)
        if due is None:
            break
        dues.append(due)
        previous_day, previous_offset = local_date(due, tz), offset
    return dues
