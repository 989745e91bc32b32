"""CALLSHEET_NOW_FILE: a clock that follows a file, for daemons that tests move through time."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from store.clock import Clock
from store.errors import UserError


def test_the_file_is_read_at_every_call_and_wins_over_now(tmp_path: Path) -> None:
    path = tmp_path / "now"
    path.write_text("2026-03-29T01:30:00+01:00\n")
    clock = Clock.from_env({"CALLSHEET_NOW_FILE": str(path), "CALLSHEET_NOW": "2020-01-01T00:00:00Z"})
    assert clock.now() == datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    path.write_text("2026-03-29T03:30:00+02:00")
    assert clock.now_iso() == "2026-03-29T01:30:00+00:00"


def test_a_half_written_file_keeps_the_last_good_time(tmp_path: Path) -> None:
    path = tmp_path / "now"
    path.write_text("2026-11-23T10:00:00+00:00")
    clock = Clock.from_env({"CALLSHEET_NOW_FILE": str(path)})
    path.write_text("2026-11-")
    assert clock.now_iso() == "2026-11-23T10:00:00+00:00"


@pytest.mark.parametrize("content", [None, "soon", "2026-11-23T10:00:00"])
def test_a_missing_or_bad_file_is_one_sentence(tmp_path: Path, content: str | None) -> None:
    path = tmp_path / "now"
    if content is not None:
        path.write_text(content)
    with pytest.raises(UserError) as caught:
        Clock.from_env({"CALLSHEET_NOW_FILE": str(path)})
    assert "CALLSHEET_NOW_FILE" in str(caught.value) and "\n" not in str(caught.value)
