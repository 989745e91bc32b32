"""Handles match whatever their case, width or composition: one key for imports, lookups and uniqueness."""

from __future__ import annotations

import json
import sqlite3
import unicodedata
from pathlib import Path

import pytest
from sqlite_utils import Database

from store.clock import Clock
from store.db import Store
from store.influencers import get_by_handle
from store.schema import migrations
from tests.cli_helpers import run, run_json
from tests.import_helpers import influencer_rows, write_csv
from tests.pipeline_helpers import add_influencer, make_campaign

NFD_JOSE = unicodedata.normalize("NFD", "josé")


def _import(db_path: Path, path: Path, rows: list[list[str]]) -> dict:
    write_csv(path, rows, header=["handle", "name", "email"])
    return run_json(db_path, "import", "influencers", str(path))


@pytest.mark.parametrize(("first", "second"), [("élise", "ÉLISE"), ("ana", "ａｎａ"), ("josé", NFD_JOSE),
                                                ("Straße", "STRASSE")])
def test_two_forms_of_one_handle_are_one_influencer(db_path: Path, tmp_path: Path, first: str,
                                                    second: str) -> None:
    assert _import(db_path, tmp_path / "a.csv", [[first, "First", ""]])["created"] == 1
    report = _import(db_path, tmp_path / "b.csv", [[f"@{second}", "Second", "x@example.com"]])
    assert (report["created"], report["updated"]) == (0, 1)
    rows = influencer_rows(db_path)
    assert [(r["handle"], r["name"], r["email"]) for r in rows] == [(first, "Second", "x@example.com")]


def test_a_decomposed_handle_is_stored_composed(db_path: Path, tmp_path: Path) -> None:
    assert _import(db_path, tmp_path / "a.csv", [[NFD_JOSE, "José", ""]])["created"] == 1
    assert [r["handle"] for r in influencer_rows(db_path)] == ["josé"]


def test_two_forms_in_one_file_reject_both(db_path: Path, tmp_path: Path) -> None:
    write_csv(tmp_path / "a.csv", [["élise", "A", ""], ["ÉLISE", "B", ""]],
              header=["handle", "name", "email"])
    result = run(db_path, "import", "influencers", str(tmp_path / "a.csv"))
    assert result.exit_code == 1
    assert "line 2: handle 'élise' is also on line 3" in result.stderr
    assert influencer_rows(db_path) == []


def test_every_command_finds_an_influencer_by_any_form_of_its_handle(store: Store, db_path: Path) -> None:
    make_campaign(store)
    add_influencer(store, "élise")
    add_influencer(store, "josé")
    invited = run(db_path, "invite", "Spring", "ÉLISE")
    assert invited.exit_code == 0, invited.output
    assert "@élise: new → invited" in invited.stdout
    applied = run(db_path, "apply", "Spring", NFD_JOSE)
    assert applied.exit_code == 0, applied.output
    decided = run(db_path, "decide", "Spring", "JOSÉ", "shortlist")
    assert decided.exit_code == 0, decided.output
    assert "@josé" in decided.stdout
    assert run(db_path, "note", "Élise", "met at the fair").exit_code == 0
    assert run(db_path, "bookmark", "ÉＬＩＳＥ").exit_code == 0
    assert run(db_path, "mark", "@ÉLISE", "--read").exit_code == 0
    history = run_json(db_path, "history", "ÉLISE")
    assert any(entry.get("kind") == "invitation" for entry in history), history
    found = run_json(db_path, "influencers", "handle:ÉLISE")
    assert [row["handle"] for row in found] == ["élise"]
    assert [row["handle"] for row in run_json(db_path, "influencers", "handle:JOS*")] == ["josé"]
    person = get_by_handle(store.reader(), "ÉLISE")
    assert person["bookmarked"] == 1


def test_a_handle_written_by_any_path_gets_its_key_and_stays_unique(store: Store) -> None:
    add_influencer(store, "Élise")
    with store.write() as db:
        assert db.execute("SELECT handle_key FROM influencers").fetchone() == ("élise",)
        with pytest.raises(sqlite3.IntegrityError):
            add_influencer(store, "ÉLISE")
        db.conn.execute("UPDATE influencers SET handle = 'Ｎｅｗ'")
        assert db.execute("SELECT handle_key FROM influencers").fetchone() == ("new",)


def test_lookups_use_the_unique_key_index(store: Store) -> None:
    add_influencer(store, "ana")
    plan = " ".join(row[3] for row in store.reader().execute(
        "EXPLAIN QUERY PLAN SELECT * FROM influencers WHERE handle_key = ?", ["ana"]))
    assert "USING INDEX influencers_handle_key" in plan


def test_the_migration_keeps_handles_that_now_collide_and_renames_the_later_ones(
        db_path: Path, clock: Clock) -> None:
    conn = sqlite3.connect(db_path, isolation_level=None)
    migrations.apply(Database(conn), stop_before=["handle_keys"])
    for handle in ("élise", "ÉLISE", "élise-2", "ÉＬＩＳＥ"):  # all distinct under NOCASE
        conn.execute("INSERT INTO influencers (handle, created_at, updated_at) VALUES (?, 'x', 'x')",
                     [handle])
    conn.execute("INSERT INTO notes (influencer_id, author, body, created_at) VALUES (2, 'a', 'kept', 'x')")
    conn.close()
    store = Store(db_path, clock, actor="tester")
    try:
        reader = store.reader()
        assert reader.execute("SELECT handle, handle_key FROM influencers ORDER BY id").fetchall() == [
            ("élise", "élise"), ("ÉLISE-3", "élise-3"), ("élise-2", "élise-2"), ("ÉＬＩＳＥ-4", "élise-4")]
        events = reader.execute("SELECT action, entity_id, detail FROM audit_events "
                                "WHERE action = 'influencer.rename' ORDER BY id").fetchall()
        assert [(e[1], json.loads(e[2])["handle"], json.loads(e[2])["renamed_to"]) for e in events] == [
            (2, "ÉLISE", "ÉLISE-3"), (4, "ÉＬＩＳＥ", "ÉＬＩＳＥ-4")]
        assert get_by_handle(reader, "ÉLISE")["id"] == 1
        assert get_by_handle(reader, "élise-3")["id"] == 2
        assert reader.execute("SELECT influencer_id, body FROM notes").fetchall() == [(2, "kept")]
    finally:
        store.close()
