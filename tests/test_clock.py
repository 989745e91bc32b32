"""The one clock and its pinning through CALLSHEET_NOW."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from store.clock import Clock, iso, parse_instant
from store.errors import UserError


def test_pinned_by_environment_in_utc() -> None:
    clock = Clock.from_env({"CALLSHEET_NOW": "2026-03-29T03:30:00+02:00"})
    assert clock.now() == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert clock.now_iso() == "2026-03-29T01:30:00+00:00"


def test_real_time_when_unset() -> None:
    before = datetime.now(UTC)
    now = Clock.from_env({}).now()
    assert before <= now <= datetime.now(UTC)


@pytest.mark.parametrize("text", ["yesterday", "2026-13-01T00:00:00+00:00", "2026-11-23T10:00:00"])
def test_bad_instants_are_one_sentence(text: str) -> None:
    with pytest.raises(UserError) as caught:
        Clock.from_env({"CALLSHEET_NOW": text})
    assert "\n" not in str(caught.value)


def test_advance_moves_a_pinned_clock() -> None:
    clock = Clock.fixed("2026-10-24T23:00:00+00:00")
    clock.advance(timedelta(hours=2))
    assert iso(clock.now()) == "2026-10-25T01:00:00+00:00"
    assert parse_instant("2026-10-25T01:00:00Z") == clock.now()
