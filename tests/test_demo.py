"""`callsheet demo`: a realistic, deterministic workspace."""

from __future__ import annotations

from pathlib import Path

from store.clock import Clock
from store.db import Store
from tests.cli_helpers import run


def test_demo_seeds_a_realistic_workspace(db_path: Path) -> None:
    result = run(db_path, "demo", "--no-open")
    assert result.exit_code == 0, result.output
    assert "320 influencers, 3 campaigns" in result.output
    store = Store(db_path, Clock.from_env())
    db = store.reader()
    assert db.execute("SELECT count(DISTINCT country) FROM influencers").fetchone()[0] >= 8
    assert db.execute("SELECT count(DISTINCT language) FROM influencers").fetchone()[0] >= 5
    low, high = db.execute("SELECT min(followers), max(followers) FROM influencers").fetchone()
    assert low < 2_000 and high > 100_000
    stages = {r[0] for r in db.execute("SELECT DISTINCT stage FROM applications")}
    assert len(stages) >= 5
    assert db.execute("SELECT count(*) FROM messages WHERE direction = 'in'").fetchone()[0] > 20
    tomorrow = db.execute("SELECT count(*), sum(status = 'planned') FROM messages "
                          "WHERE kind = 'invitation' AND plan_date = '2026-11-24'").fetchone()
    assert tomorrow[0] == 60 and tomorrow[1] >= 3  # planned for real, some flagged over the limit
    assert "60 invitations planned for tomorrow" in result.output
    store.close()


def test_demo_reuses_a_database_that_has_data(db_path: Path) -> None:
    run(db_path, "demo", "--no-open")
    again = run(db_path, "demo", "--no-open")
    assert again.exit_code == 0 and "already has data" in again.output


def test_demo_without_db_uses_a_fresh_file(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from tui.cli import main

    first = CliRunner().invoke(main, ["demo", "--no-open"])
    second = CliRunner().invoke(main, ["demo", "--no-open"])
    assert first.exit_code == second.exit_code == 0
    assert "320 influencers" in second.output  # recreated, not reused
    assert (tmp_path / "xdg-data" / "callsheet" / "demo.db").exists()
