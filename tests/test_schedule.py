"""R8, the pure part: windows as real instants across DST, missing midnights and odd offsets."""

from __future__ import annotations

import math
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from store.outreach_rules import schedule
from store.outreach_rules.windows import parse_window

OFFICE = [parse_window("mon-fri 09:00-18:00")]
NIGHT = [parse_window("daily 01:00-03:00")]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local_times(times: list[datetime], zone: str) -> list[str]:
    return [t.astimezone(ZoneInfo(zone)).strftime("%H:%M") for t in times]


@pytest.mark.parametrize(("zone", "day", "start", "end"), [
    ("Europe/Paris", date(2026, 3, 27), utc(2026, 3, 27, 8), utc(2026, 3, 27, 17)),   # CET
    ("Europe/Paris", date(2026, 3, 30), utc(2026, 3, 30, 7), utc(2026, 3, 30, 16)),   # CEST
    ("Europe/Paris", date(2026, 10, 23), utc(2026, 10, 23, 7), utc(2026, 10, 23, 16)),
    ("Europe/Paris", date(2026, 10, 26), utc(2026, 10, 26, 8), utc(2026, 10, 26, 17)),
    ("America/New_York", date(2026, 3, 6), utc(2026, 3, 6, 14), utc(2026, 3, 6, 23)),   # EST
    ("America/New_York", date(2026, 3, 9), utc(2026, 3, 9, 13), utc(2026, 3, 9, 22)),   # EDT
    ("Asia/Kolkata", date(2026, 3, 30), utc(2026, 3, 30, 3, 30), utc(2026, 3, 30, 12, 30)),
    ("Australia/Adelaide", date(2026, 4, 2), utc(2026, 4, 1, 22, 30), utc(2026, 4, 2, 7, 30)),  # +10:30
    ("Australia/Adelaide", date(2026, 4, 6), utc(2026, 4, 5, 23, 30), utc(2026, 4, 6, 8, 30)),  # +09:30
])
def test_office_window_stays_in_local_time(zone: str, day: date, start: datetime, end: datetime) -> None:
    [slot] = schedule.slots_on(day, OFFICE, ZoneInfo(zone))
    assert (slot.start, slot.end) == (start, end)


def test_weekends_have_no_office_window() -> None:
    paris = ZoneInfo("Europe/Paris")
    assert schedule.slots_on(date(2026, 3, 28), OFFICE, paris) == []
    assert schedule.slots_on(date(2026, 3, 29), OFFICE, paris) == []
    assert schedule.next_window_day(date(2026, 3, 27), OFFICE, paris) == date(2026, 3, 30)


def test_spring_forward_night_window_is_one_real_hour_and_skips_the_gap() -> None:
    paris = ZoneInfo("Europe/Paris")
    [slot] = schedule.slots_on(date(2026, 3, 29), NIGHT, paris)
    assert (slot.start, slot.end) == (utc(2026, 3, 29, 0), utc(2026, 3, 29, 1))
    times = schedule.spread([slot], 50)
    hours = {t.astimezone(paris).hour for t in times}
    assert hours == {1}, "nothing at 02:xx, a local time that does not exist that night"


def test_fall_back_night_window_holds_three_real_hours_once_each() -> None:
    paris = ZoneInfo("Europe/Paris")
    [slot] = schedule.slots_on(date(2026, 10, 25), NIGHT, paris)
    assert slot.seconds == 3 * 3600
    times = schedule.spread([slot], 50)
    assert len(set(times)) == 50
    repeated = [t for t in times if t.astimezone(paris).hour == 2]
    folds = Counter(t.astimezone(paris).utcoffset() for t in repeated)
    assert set(folds) == {timedelta(hours=2), timedelta(hours=1)}, "both passes of 02:xx are used"
    assert all(slot.start <= t < slot.end for t in times)


@pytest.mark.parametrize(("zone", "day", "first_local"), [
    ("Atlantic/Azores", date(2026, 3, 29), "01:00"),
    ("America/Santiago", date(2026, 9, 6), "01:00"),
])
def test_zones_without_a_local_midnight(zone: str, day: date, first_local: str) -> None:
    tz = ZoneInfo(zone)
    start, end = schedule.day_span(day, tz)
    assert start.astimezone(tz).date() == day
    assert start.astimezone(tz).strftime("%H:%M") == first_local
    assert (start - timedelta(seconds=1)).astimezone(tz).date() == day - timedelta(days=1)
    assert end.astimezone(tz).date() == day + timedelta(days=1)
    [slot] = schedule.slots_on(day, [parse_window("daily 00:00-02:00")], tz)
    assert slot.seconds == 3600 and slot.start == start
    assert set(local_times(schedule.spread([slot], 10), zone)) <= {f"01:{m:02d}" for m in range(60)}


def test_a_window_entirely_inside_the_gap_does_not_open() -> None:
    paris = ZoneInfo("Europe/Paris")
    assert schedule.slots_on(date(2026, 3, 29), [parse_window("daily 02:00-02:45")], paris) == []


@pytest.mark.parametrize("cap", [1, 7, 50, 333])
def test_spread_fills_the_window_evenly_and_ends_before_it_closes(cap: int) -> None:
    paris = ZoneInfo("Europe/Paris")
    [slot] = schedule.slots_on(date(2026, 3, 30), OFFICE, paris)
    times = schedule.spread([slot], cap)
    assert len(times) == cap and times == sorted(times)
    assert times[0] == slot.start and times[-1] < slot.end
    per_hour = Counter(t.replace(minute=0, second=0) for t in times)
    assert max(per_hour.values()) <= math.ceil(cap / 9) + 1


def test_spread_across_two_windows_and_after_now() -> None:
    tz = ZoneInfo("America/New_York")
    windows = [parse_window("mon-fri 09:00-12:00"), parse_window("mon-fri 14:00-17:00")]
    slots = schedule.slots_on(date(2026, 3, 9), windows, tz)
    times = schedule.spread(slots, 12)
    assert local_times(times, "America/New_York") == [
        "09:00", "09:30", "10:00", "10:30", "11:00", "11:30", "14:00", "14:30", "15:00", "15:30",
        "16:00", "16:30"]
    late = schedule.spread(slots, 4, not_before=utc(2026, 3, 9, 19))  # 15:00 EDT
    assert local_times(late, "America/New_York") == ["15:00", "15:30", "16:00", "16:30"]


@pytest.mark.parametrize(("zone", "accepted", "welcome"), [
    # Accepted at 09:00 local the day before the change: 09:00 local the next day, not +24 h.
    ("Europe/Paris", datetime(2026, 3, 27, 9, tzinfo=ZoneInfo("Europe/Paris")), "2026-03-30 09:00"),
    ("Europe/Paris", datetime(2026, 10, 23, 9, tzinfo=ZoneInfo("Europe/Paris")), "2026-10-26 09:00"),
    ("America/New_York", datetime(2026, 3, 6, 9, tzinfo=ZoneInfo("America/New_York")), "2026-03-09 09:00"),
    ("America/New_York", datetime(2026, 10, 30, 9, tzinfo=ZoneInfo("America/New_York")), "2026-11-02 09:00"),
    ("Australia/Adelaide", datetime(2026, 4, 2, 9, tzinfo=ZoneInfo("Australia/Adelaide")),
     "2026-04-03 09:00"),
])
def test_welcome_is_next_window_day_at_opening_local(zone: str, accepted: datetime, welcome: str) -> None:
    tz = ZoneInfo(zone)
    due = schedule.welcome_due(accepted.astimezone(UTC), OFFICE, tz)
    assert due.astimezone(tz).strftime("%Y-%m-%d %H:%M") == welcome


def test_welcome_across_a_daily_dst_change() -> None:
    paris = ZoneInfo("Europe/Paris")
    daily = [parse_window("daily 09:00-18:00")]
    accepted = datetime(2026, 3, 28, 9, tzinfo=paris)
    due = schedule.welcome_due(accepted.astimezone(UTC), daily, paris)
    assert due.astimezone(paris).strftime("%Y-%m-%d %H:%M") == "2026-03-29 09:00"
    assert due - accepted == timedelta(hours=23), "the naive +24 h would give 10:00"


def test_next_open_and_is_open() -> None:
    paris = ZoneInfo("Europe/Paris")
    friday_evening = utc(2026, 3, 27, 19)
    assert not schedule.is_open(friday_evening, OFFICE, paris)
    slot = schedule.next_open(friday_evening, OFFICE, paris)
    assert slot.start == utc(2026, 3, 30, 7)
    assert schedule.is_open(utc(2026, 3, 30, 8), OFFICE, paris)
    assert schedule.next_open(utc(2026, 3, 30, 8), OFFICE, paris).start == utc(2026, 3, 30, 7)


def test_followups_land_on_window_days() -> None:
    paris = ZoneInfo("Europe/Paris")
    [due] = schedule.followup_dues(date(2026, 3, 25), [3], OFFICE, paris)  # Wed + 3 = Saturday → Monday
    assert due.astimezone(paris).strftime("%a %H:%M") == "Mon 09:00"


def test_a_followup_moved_past_the_weekend_pushes_the_next_one_keeping_the_gap() -> None:
    paris = ZoneInfo("Europe/Paris")
    # Welcome Thursday 2 April: +2 is Saturday → Monday 6; +4 would be Monday 6 too.
    dues = schedule.followup_dues(date(2026, 4, 2), [2, 4, 5], OFFICE, paris)
    assert [d.astimezone(paris).strftime("%a %d %H:%M") for d in dues] == [
        "Mon 06 09:00", "Wed 08 09:00", "Thu 09 09:00"]
