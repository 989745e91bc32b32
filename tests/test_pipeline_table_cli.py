"""`callsheet pipeline CAMPAIGN`: the Pipeline pane's table, filters, sorts and paging on the command line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from mailer.actions import pipeline
from store.db import Store
from tests.cli_helpers import assert_user_error, run, run_json
from tests.pipeline_helpers import add_influencer, add_people, make_campaign


@pytest.fixture
def spring(store: Store) -> Store:
    """Spring: ana and bob invited, cat applied (to review), tiny applied below the minimums (ineligible)."""
    make_campaign(store, min_followers=1000)
    add_influencer(store, "ana", name="Ana Lima", followers=50_000, engagement_rate=3.25, tags=["beauty"])
    add_influencer(store, "bob", name="Bob Stone", followers=12_000, engagement_rate=6.0)
    add_influencer(store, "cat", name="Cat Moreau", followers=30_000, engagement_rate=4.5, tags=["beauty"])
    add_influencer(store, "tiny", name="Tiny Tim", followers=5)
    pipeline.invite(store, "Spring", ["ana", "bob"])
    pipeline.apply(store, "Spring", "cat", fee=1200)
    pipeline.apply(store, "Spring", "tiny")
    return store


def handles(db_path: Path, *args: str) -> list[str]:
    return [row["handle"] for row in run_json(db_path, "pipeline", "Spring", *args)]


def test_the_table_has_the_panes_columns_and_says_how_many(spring: Store, db_path: Path) -> None:
    result = run(db_path, "pipeline", "Spring", "--sort", "name")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["HANDLE", "NAME", "STAGE", "SOURCE", "FOLLOWERS", "ENGAGEMENT", "FEE",
                                "LAST", "MESSAGE"]
    assert [line.split()[0] for line in lines[1:4]] == ["@ana", "@bob", "@cat"]
    cat = lines[3]
    assert "Cat Moreau" in cat and "to review" in cat and "applied" in cat
    assert "30,000" in cat and "4.5%" in cat and "1,200" in cat
    assert lines[-1] == "Showing 3 of 3 applications in Spring."


def test_json_has_stable_fields_with_raw_values(spring: Store, db_path: Path) -> None:
    rows = run_json(db_path, "pipeline", "Spring", "--sort", "handle")
    fields = {"handle", "name", "stage", "source", "followers", "engagement_rate", "fee", "last_message",
              "updated_at", "flag"}
    assert [set(row) for row in rows] == [fields] * 3
    cat = rows[2]
    assert (cat["handle"], cat["stage"], cat["source"], cat["followers"], cat["engagement_rate"],
            cat["fee"]) == ("cat", "to review", "applied", 30_000, 4.5, 1200)
    assert rows[0]["last_message"] is not None  # ana's invitation is planned mail of this campaign


@pytest.mark.parametrize(("sort", "expected"), [
    ("handle", ["ana", "bob", "cat"]),
    ("name", ["ana", "bob", "cat"]),
    ("followers", ["ana", "cat", "bob"]),
    ("engagement", ["bob", "cat", "ana"]),
])
def test_each_sort_orders_as_the_pane_does(spring: Store, db_path: Path, sort: str,
                                           expected: list[str]) -> None:
    assert handles(db_path, "--sort", sort) == expected
    flipped = "--desc" if sort in ("handle", "name") else "--asc"
    assert handles(db_path, "--sort", sort, flipped) == expected[::-1]


def test_filters_by_stage_source_and_query(spring: Store, db_path: Path) -> None:
    assert handles(db_path, "--sort", "handle", "--stage", "invited") == ["ana", "bob"]
    assert handles(db_path, "--sort", "handle", "--stage", "all") == ["ana", "bob", "cat", "tiny"]
    assert handles(db_path, "--sort", "handle", "--stage", "ineligible", "--stage", "to_review") == \
        ["cat", "tiny"]
    assert handles(db_path, "--source", "applied") == ["cat"]
    assert handles(db_path, "--sort", "handle", "--query", "tag:beauty") == ["ana", "cat"]
    # `stage:` with no campaign named means this campaign, as in the pane's search bar.
    assert handles(db_path, "--query", "stage:to_review") == ["cat"]


def test_limit_and_all_rows_across_pages(store: Store, db_path: Path) -> None:
    make_campaign(store)
    people = add_people(store, 1_250)
    pipeline.invite(store, "Spring", people)
    result = run(db_path, "pipeline", "Spring", "--sort", "handle", "--limit", "10")
    assert result.stdout.splitlines()[-1] == \
        "Showing 10 of 1,250 applications in Spring; use --limit to see more."
    every = handles(db_path, "--sort", "handle", "--limit", "0")
    assert every == sorted(people)  # three pages of 500, in order, nobody twice


def test_outside_text_is_shown_as_visible_escapes(store: Store, db_path: Path) -> None:
    make_campaign(store)
    add_influencer(store, "evil", name="Evil\x1b[2J\u202eName")
    pipeline.invite(store, "Spring", ["evil"])
    result = run(db_path, "pipeline", "Spring")
    assert "\x1b" not in result.stdout and "\u202e" not in result.stdout
    assert "Evil\\x1b[2J\\u202eName" in result.stdout


def test_empty_results_say_so(spring: Store, db_path: Path) -> None:
    make_campaign(spring, "Autumn")
    assert run(db_path, "pipeline", "Autumn").stdout == "No applications in Autumn yet.\n"
    assert run(db_path, "pipeline", "Spring", "--query", "tag:nothing").stdout == \
        "No applications in Spring match these filters.\n"


@pytest.mark.parametrize(("args", "fragment"), [
    (("Nope",), "There is no campaign named 'Nope'"),
    (("Spring", "--stage", "limbo"), "limbo"),
    (("Spring", "--query", "followers>>3"), "followers"),
])
def test_bad_input_is_one_sentence(spring: Store, db_path: Path, args: tuple[str, ...],
                                   fragment: str) -> None:
    assert_user_error(run(db_path, "pipeline", *args), fragment)


def test_runs_as_a_real_process(spring: Store, db_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "tui.cli", "--db", str(db_path), "pipeline", "Spring",
                           "--stage", "invited", "--sort", "handle"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert [line.split()[0] for line in done.stdout.splitlines()[1:3]] == ["@ana", "@bob"]
