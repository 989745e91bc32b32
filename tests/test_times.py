"""One way to show a time: `YYYY-MM-DD HH:MM` in the operator's zone, the zone named apart."""

from __future__ import annotations

from datetime import UTC
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from tui.times import operator_zone, shown_time, zone_name

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
