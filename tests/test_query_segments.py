"""`segment:NAME` in the query syntax: read in as the saved segment is now, nested, cycles refused."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from store.clock import Clock
from store.db import Store
from tests.cli_helpers import assert_user_error, run, run_json
from tests.outreach_helpers import add_influencers
from tests.query_data import seed

UNKNOWN = "There is no segment named 'Nope'; `callsheet segment list` shows them."


@pytest.fixture
def seeded(store: Store, db_path: Path) -> Path:
    seed(store)
    store.close()
    return db_path


def save(db_path: Path, name: str, query: str, *extra: str) -> None:
    result = run(db_path, "segment", "save", name, query, *extra)
    assert result.exit_code == 0, result.output


def matching(db_path: Path, query: str) -> set[str]:
    return {row["handle"] for row in run_json(db_path, "influencers", query, "--limit", "0")}


def saved_query(db_path: Path, name: str) -> str:
    with sqlite3.connect(db_path) as conn:
        return conn.execute("SELECT query FROM segments WHERE name = ?", [name]).fetchone()[0]


def test_a_segment_matches_what_its_query_matches(seeded: Path) -> None:
    save(seeded, "Beauty", "tag:beauty")
    assert matching(seeded, "segment:Beauty") == matching(seeded, "tag:beauty") == {
        "ana", "lea", "sofia.garcia"}
    assert matching(seeded, "segment:beauty followers>=10k") == {"ana", "sofia.garcia"}, "names: any case"
    assert matching(seeded, "-segment:Beauty") == {"marco", "jonas", "100pct"}


def test_segments_nest_and_follow_a_replaced_query(seeded: Path) -> None:
    save(seeded, "Beauty", "tag:beauty")
    save(seeded, "French beauty", "segment:Beauty language:fr")
    save(seeded, "Either", 'segment:"French beauty" OR country:IT')
    assert matching(seeded, "segment:Either") == {"ana", "lea", "marco"}
    save(seeded, "Beauty", "tag:fitness", "--replace")
    assert matching(seeded, "segment:Either") == {"marco"}, "the inner segment is read as it is now"
    listed = {row["name"]: row["matches"] for row in run_json(seeded, "segment", "list")}
    assert listed == {"Beauty": 1, "French beauty": 0, "Either": 1}


def test_a_segment_is_not_scoped_by_the_campaign_beside_it(seeded: Path) -> None:
    save(seeded, "Shortlisted", "stage:shortlisted")
    assert matching(seeded, "segment:Shortlisted") == {"lea"}
    # `campaign:Glow stage:…` ties the stage to Glow; the segment keeps its own meaning.
    assert matching(seeded, 'campaign:"Spring 25" segment:Shortlisted') == set()
    assert matching(seeded, 'campaign:"Spring 25" OR segment:Shortlisted') == {"ana", "marco", "lea"}


@pytest.mark.parametrize(("steps", "refused", "loop"), [
    ((), ("Self", "segment:Self tag:beauty"), "Self -> Self"),
    ((("A", "tag:beauty"), ("B", "segment:A country:FR")), ("A", "segment:B"), "A -> B -> A"),
    ((("A", "tag:beauty"), ("B", "segment:A"), ("C", "-segment:B")), ("a", "segment:C"), "A -> C -> B -> A"),
])
def test_a_segment_that_includes_itself_is_refused(seeded: Path, steps: tuple, refused: tuple,
                                                   loop: str) -> None:
    for name, query in steps:
        save(seeded, name, query)
    before = {name: saved_query(seeded, name) for name, _ in steps}
    extra = ("--replace",) if steps else ()
    result = run(seeded, "segment", "save", *refused, *extra)
    assert_user_error(result, f"includes itself ({loop}); a segment cannot refer to itself")
    assert {name: saved_query(seeded, name) for name, _ in steps} == before, "nothing changed"


def test_an_unknown_segment_is_one_sentence(seeded: Path) -> None:
    assert_user_error(run(seeded, "influencers", "tag:beauty segment:Nope"), UNKNOWN)
    assert_user_error(run(seeded, "segment", "save", "X", "segment:Nope"), UNKNOWN)
    assert run_json(seeded, "segment", "list") == []
    assert_user_error(run(seeded, "influencers", "segment:"), "'segment:' needs a value after the ':'.")


def test_a_segment_in_use_cannot_be_deleted(seeded: Path) -> None:
    save(seeded, "Beauty", "tag:beauty")
    save(seeded, "FR", "segment:Beauty country:FR")
    assert_user_error(run(seeded, "segment", "delete", "beauty"),
                      "The segment 'Beauty' is used by segment 'FR'; change it first.")
    assert run(seeded, "segment", "delete", "FR").exit_code == 0
    assert run(seeded, "segment", "delete", "Beauty").exit_code == 0


@pytest.fixture
def paris(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Ten people, tagged a (0-4) or b (5-9); Monday 23 Nov 2026, 19:00 in Paris."""
    monkeypatch.setenv("CALLSHEET_NOW", "2026-11-23T18:00:00+00:00")
    store = Store(db_path, Clock.from_env(), actor="tester")
    add_influencers(store, 5, tags='["a"]')
    add_influencers(store, 5, start=5, tags='["b"]')
    store.close()
    return db_path


def planned(db_path: Path) -> list[str]:
    with sqlite3.connect(db_path) as conn:
        return [row[0] for row in conn.execute(
            "SELECT i.handle FROM messages m JOIN influencers i ON i.id = m.influencer_id "
            "WHERE m.kind = 'invitation' ORDER BY i.handle")]


def test_a_campaign_follows_its_saved_segment_at_each_planning_day(paris: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    save(paris, "Pool", "tag:a")
    created = run(paris, "campaign", "create", "Spring", "--sender", "casting@brand.example",
                  "--timezone", "Europe/Paris", "--daily-cap", "3", "--segment", "segment:Pool")
    assert created.exit_code == 0, created.output
    assert run_json(paris, "plan")["planned"] == 3
    assert planned(paris) == ["person0", "person1", "person2"]
    assert_user_error(run(paris, "segment", "delete", "Pool"), "is used by campaign 'Spring'")
    save(paris, "Pool", "tag:b", "--replace")
    monkeypatch.setenv("CALLSHEET_NOW", "2026-11-24T18:00:00+00:00")
    assert run_json(paris, "plan")["planned"] == 3
    assert planned(paris) == ["person0", "person1", "person2", "person5", "person6", "person7"]


def test_a_campaign_whose_segment_is_gone_plans_nothing_and_the_others_still_plan(paris: Path) -> None:
    for name, segment in (("Spring", "tag:a"), ("Glow", "tag:b")):
        created = run(paris, "campaign", "create", name, "--sender", "casting@brand.example",
                      "--timezone", "Europe/Paris", "--daily-cap", "2", "--segment", segment)
        assert created.exit_code == 0, created.output
    assert_user_error(run(paris, "campaign", "edit", "Spring", "--segment", "segment:Nope"), UNKNOWN)
    # Only a hand edit of the database can leave a campaign on a missing segment:
    # `segment delete` refuses one in use, and create and edit check the name.
    with sqlite3.connect(paris) as conn:
        conn.execute("UPDATE campaigns SET segment = 'segment:Nope' WHERE name = 'Spring'")
    result = run_json(paris, "plan")
    notes = {c["campaign"]: c.get("note") for c in result["campaigns"]}
    assert result["planned"] == 2 and planned(paris) == ["person5", "person6"]
    assert notes["Spring"] == ("Spring's segment cannot be read (There is no segment named 'Nope'; "
                               "`callsheet segment list` shows them): nothing is planned for it")


def test_the_pipeline_and_inbox_searches_read_segments(seeded: Path) -> None:
    from store import conversations, pipeline_view
    from store.clock import from_iso
    from tests.query_data import NOW

    save(seeded, "Beauty", "tag:beauty")
    store = Store(seeded, Clock.fixed(NOW), actor="tester")
    try:
        db, now = store.reader(), from_iso(NOW)
        glow = db.execute("SELECT id FROM campaigns WHERE name = 'Glow'").fetchone()[0]
        view = pipeline_view.View(glow, stages=("invited", "shortlisted"), search="segment:Beauty")
        assert sorted(row.handle for row in pipeline_view.page(db, view, now)) == ["lea", "sofia.garcia"]
        assert pipeline_view.count(db, view, now) == 2
        inbox = conversations.page(db, conversations.InboxFilter(query="segment:Beauty -country:ES"), now=NOW)
        assert sorted(row.handle for row in inbox) == ["ana", "lea"]
    finally:
        store.close()
