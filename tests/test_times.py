"""One way to show a time: `YYYY-MM-DD HH:MM` in the operator's zone, the zone named apart."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from tui.times import (
    machine_zone,
    operator_zone,
    shown_day_or_time,
    shown_time,
    zone_abbreviation,
    zone_name,
)

PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.parametrize(("instant", "zone", "shown"), [
    ("2026-11-23T09:00:00+00:00", PARIS, "2026-11-23 10:00"),  # winter: UTC+1
    ("2026-07-01T09:00:00+00:00", PARIS, "2026-07-01 11:00"),  # summer: UTC+2
    ("2026-11-23T23:30:00+00:00", PARIS, "2026-11-24 00:30"),  # the local day, not the UTC one
    ("2026-11-23T09:00:00+00:00", UTC, "2026-11-23 09:00"),
    ("2026-11-23T09:00:00", PARIS, "2026-11-23 10:00"),  # no offset: UTC, never the machine's zone
    ("2026-11-23T04:00:00-05:00", PARIS, "2026-11-23 10:00"),
    ("", PARIS, ""),
    (None, PARIS, ""),
    ("soon", PARIS, "soon"),  # not an instant: shown as it is rather than failing the screen
])
def test_a_stored_instant_is_shown_in_the_zone(instant, zone, shown) -> None:
    assert shown_time(instant, zone) == shown


def test_the_zone_is_the_apps_own_else_utc() -> None:
    assert operator_zone(SimpleNamespace(local_zone=PARIS)) is PARIS
    assert operator_zone(SimpleNamespace(local_zone=None)) is UTC
    assert operator_zone(object()) is UTC
    assert (zone_name(PARIS), zone_name(UTC)) == ("Europe/Paris", "UTC")


def test_the_machine_zone_is_taken_by_name_from_tz_or_etc_localtime(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("TZ", "Europe/Paris")
    assert zone_name(machine_zone()) == "Europe/Paris"
    monkeypatch.delenv("TZ")
    link = tmp_path / "localtime"
    link.symlink_to("/usr/share/zoneinfo/America/New_York")
    assert zone_name(machine_zone(link)) == "America/New_York"
    monkeypatch.setenv("TZ", "XYZ-3")  # a POSIX rule, no zone name: the offset it gives
    assert machine_zone(link).utcoffset(None) is not None


def test_the_zone_is_named_as_a_person_reads_it_at_that_instant() -> None:
    assert zone_abbreviation(PARIS, datetime(2026, 11, 23, tzinfo=UTC)) == "CET"
    assert zone_abbreviation(PARIS, datetime(2026, 7, 1, tzinfo=UTC)) == "CEST"
    assert shown_time("2026-11-23T09:00:00+00:00", PARIS, named=True) == "2026-11-23 10:00 CET"
    assert shown_time("2026-11-23T09:00:00+00:00", UTC, named=True) == "2026-11-23 09:00 UTC"


def test_where_room_is_short_today_shows_the_time_other_days_the_date_in_the_same_order() -> None:
    now = datetime(2026, 11, 23, 22, 0, tzinfo=UTC)  # 23:00 in Paris: still the 23rd there
    assert shown_day_or_time("2026-11-23T08:05:00+00:00", PARIS, now) == "09:05"
    assert shown_day_or_time("2026-11-23T23:30:00+00:00", PARIS, now) == "11-24", "the local day"
    assert shown_day_or_time("2026-03-11T08:00:00+00:00", PARIS, now) == "03-11", "this year: month first"
    assert shown_day_or_time("2025-12-31T08:00:00+00:00", PARIS, now) == "2025-12-31"
    assert shown_day_or_time("", PARIS, now) == ""


def test_the_app_shows_the_machines_zone_and_the_tests_pin_utc(tmp_path, monkeypatch) -> None:
    from tests.app_helpers import demo_store
    from tui.app import make_app

    store = demo_store(tmp_path / "demo.db")
    apps = [make_app(store)]
    assert zone_name(apps[0].local_zone) == "UTC", "conftest pins TZ=UTC"
    monkeypatch.setenv("TZ", "Europe/Paris")
    apps.append(make_app(store))
    assert apps[1].workspace_line() == "demo.db · 2026-11-23 11:00 CET (pinned)"
    apps.append(make_app(store, local_zone="Asia/Tokyo"))
    assert zone_name(apps[2].local_zone) == "Asia/Tokyo"
    for app in apps:  # each began its opening read as it was built: done before the store closes
        opening = app.take_opening()
        if opening is not None:
            opening.wait()
    store.close()
