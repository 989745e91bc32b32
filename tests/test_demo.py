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


def _note_count(path: Path) -> int:
    store = Store(path, Clock.from_env())
    try:
        return store.reader().execute("SELECT count(*) FROM notes").fetchone()[0]
    finally:
        store.close()


def test_demo_reuses_a_database_that_has_data(db_path: Path) -> None:
    run(db_path, "demo", "--no-open")
    again = run(db_path, "demo", "--no-open")
    assert again.exit_code == 0 and "kept as you left it" in again.output
    # --no-open opens nothing, and says only that the workspace is there.
    assert again.output.startswith(f"The demo workspace {db_path} is there, kept as you left it (")
    assert "Opening" not in again.output


def test_demo_run_twice_keeps_its_notes_and_reset_says_what_it_deletes(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from tui.cli import main

    demo_db = tmp_path / "xdg-data" / "callsheet" / "demo.db"
    first = CliRunner().invoke(main, ["demo", "--no-open"])
    assert first.exit_code == 0 and "320 influencers" in first.output
    opened = Store(demo_db)
    handle = opened.reader().execute("SELECT handle FROM influencers LIMIT 1").fetchone()[0]
    opened.close()
    noted = CliRunner().invoke(main, ["--db", str(demo_db), "note", handle, "Loves trail shoes."])
    assert noted.exit_code == 0, noted.output
    second = CliRunner().invoke(main, ["demo", "--no-open"])
    assert second.exit_code == 0
    assert "kept as you left it" in second.output and "1 note," in second.output
    assert "--reset" in second.output
    assert _note_count(demo_db) == 1
    reset = CliRunner().invoke(main, ["demo", "--no-open", "--reset"])
    assert reset.exit_code == 0, reset.output
    assert "deleting its 320 influencers, 3 campaigns" in reset.output and "1 note," in reset.output
    assert "Demo workspace" in reset.output
    assert _note_count(demo_db) == 0
