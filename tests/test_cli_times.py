"""Times on the command line as the app shows them: `YYYY-MM-DD HH:MM`, the zone named (JSON keeps ISO)."""

from __future__ import annotations

from pathlib import Path

from store.db import Store
from tests.cli_helpers import run, run_json
from tests.dispatch_helpers import queue
from tests.pipeline_helpers import add_influencer, make_campaign

# conftest pins the clock at 2026-11-23T10:00:00+00:00.


def test_the_outbox_table_shows_the_next_attempt_as_the_app_does(store: Store, db_path: Path) -> None:
    queue(store, 1)
    table = run(db_path, "outbox").stdout
    header, row = table.splitlines()[:2]
    assert "NEXT ATTEMPT (UTC)" in header
    assert "2026-11-23 10:00" in row and "T10:00" not in row and "+00:00" not in row
    assert run_json(db_path, "outbox")[0]["next_attempt_at"].startswith("2026-11-23T10:00")


def test_status_says_when_the_campaign_last_changed_with_its_zone(store: Store, db_path: Path) -> None:
    make_campaign(store, "Spring")
    add_influencer(store, "ana")
    run(db_path, "apply", "Spring", "ana")
    status = run(db_path, "status", "Spring").stdout.splitlines()
    shown = [line for line in status if line.startswith("last update")]
    assert shown == ["last update     2026-11-23 10:00 UTC"]
    assert run_json(db_path, "status", "Spring")["last_update"].startswith("2026-11-23T10:00")
