"""The demo's history is a finished past: opening it adds nothing to anyone's timeline by itself."""

from __future__ import annotations

from pathlib import Path

from mailer.outreach import sequence
from store.clock import Clock
from store.db import Store
from tests.cli_helpers import run


def test_the_demos_old_yeses_are_not_skipped_one_by_one_when_it_opens(db_path: Path) -> None:
    assert run(db_path, "demo", "--no-open").exit_code == 0
    store = Store(db_path, Clock.from_env())
    try:
        said_yes = store.reader().execute(
            "SELECT count(*) FROM applications WHERE source = 'invited' AND stage != 'invited' "
            "AND sequence_at IS NOT NULL").fetchone()[0]
        assert said_yes > 10  # the welcome of each old yes is behind them, as in a real workspace
        lines = sequence.advance(store)
        assert not [line for line in lines if "too long ago" in line], lines
        skipped = store.reader().execute(
            "SELECT count(*) FROM audit_events WHERE action = 'outreach.sequence'").fetchone()[0]
        assert skipped == 0
    finally:
        store.close()
