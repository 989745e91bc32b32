"""Segments in the store, and the `segment` and `influencers` commands, on a real SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from store import segments
from store.db import Store
from store.errors import NotFound, UserError
from store.query.parser import QueryError
from tests.cli_helpers import assert_user_error, run, run_json
from tests.query_data import EVERYONE, NOW, seed


@pytest.fixture
def seeded(store: Store, db_path: Path) -> Path:
    seed(store)
    store.close()
    return db_path


def audit_actions(store: Store) -> list[str]:
    rows = store.reader().execute("SELECT action FROM audit_events WHERE entity = 'segment'")
    return [row[0] for row in rows]


# --- store.segments -------------------------------------------------------------------------------

def test_save_get_list_and_delete(store: Store) -> None:
    with store.write() as db:
        saved = segments.save(db, " beauty FR ", " tag:beauty country:FR ", actor="tester", now=NOW)
        segments.save(db, "Alpha", "followers>=10k", actor="tester", now=NOW)
    assert (saved["name"], saved["query"], saved["created_at"]) == ("beauty FR", "tag:beauty country:FR", NOW)
    assert segments.get(store.reader(), "BEAUTY fr")["id"] == saved["id"]
    assert [s["name"] for s in segments.listing(store.reader())] == ["Alpha", "beauty FR"]
    with store.write() as db:
        segments.delete(db, "alpha", actor="tester", now=NOW)
    assert [s["name"] for s in segments.listing(store.reader())] == ["beauty FR"]
    assert audit_actions(store) == ["segment.save", "segment.save", "segment.delete"]


def test_names_are_unique_whatever_the_case_unless_replaced(store: Store) -> None:
    with store.write() as db:
        segments.save(db, "Big", "followers>=100k", actor="tester", now=NOW)
    with pytest.raises(UserError, match="A segment named 'Big' already exists; use --replace"), \
            store.write() as db:
        segments.save(db, "big", "followers>=1", actor="tester", now=NOW)
    with store.write() as db:
        replaced = segments.save(db, "big", "followers>=1m", actor="tester", now=NOW, replace=True)
    assert (replaced["name"], replaced["query"]) == ("Big", "followers>=1m")
    assert len(segments.listing(store.reader())) == 1
    assert audit_actions(store) == ["segment.save", "segment.replace"]


@pytest.mark.parametrize(("name", "query", "error", "fragment"), [
    ("", "tag:x", UserError, "A segment needs a name."),
    ("two\nlines", "tag:x", UserError, "single line"),
    ("x" * 81, "tag:x", UserError, "at most 80 characters"),
    ("ok", "   ", UserError, "A segment needs a query"),
    ("ok", "folowers>1", QueryError, "did you mean 'followers'"),
    ("ok", "(tag:x", QueryError, "never closed"),
])
def test_bad_segments_are_refused_and_nothing_is_saved(store: Store, name: str, query: str,
                                                       error: type, fragment: str) -> None:
    with pytest.raises(error, match=fragment.replace("(", r"\(")), store.write() as db:
        segments.save(db, name, query, actor="tester", now=NOW)
    assert segments.listing(store.reader()) == []
    assert audit_actions(store) == []


def test_unknown_segment_suggests_a_close_name(store: Store) -> None:
    with store.write() as db:
        segments.save(db, "Big", "followers>=100k", actor="tester", now=NOW)
    with pytest.raises(NotFound, match="There is no segment named 'bigg'; did you mean 'Big'?"):
        segments.get(store.reader(), "bigg")
    with pytest.raises(NotFound, match=r"There is no segment named 'zzz'\.$"), store.write() as db:
        segments.delete(db, "zzz", actor="tester", now=NOW)


# --- callsheet influencers ------------------------------------------------------------------------

def test_influencers_lists_everyone_without_a_query(seeded: Path) -> None:
    listed = run_json(seeded, "influencers")
    assert [row["handle"] for row in listed] == sorted(EVERYONE)
    ana = next(row for row in listed if row["handle"] == "ana")
    assert ana == {"handle": "ana", "name": "Ana Silva", "email": "ana@mail.example", "followers": 12000,
                   "engagement_rate": 3.5, "country": "FR", "language": "fr",
                   "tags": ["beauty", "skincare"], "platforms": ["instagram", "tiktok"]}


def test_influencers_query_in_several_words_with_negations(seeded: Path) -> None:
    listed = run_json(seeded, "influencers", "tag:beauty", "-country:FR", "followers>=1k")
    assert [row["handle"] for row in listed] == ["sofia.garcia"]
    listed = run_json(seeded, "influencers", 'campaign:"Spring 25" OR has:notes', "--sort", "followers")
    assert [row["handle"] for row in listed] == ["marco", "sofia.garcia", "ana"]


def test_influencers_table_shows_columns_and_how_many_are_left(seeded: Path) -> None:
    result = run(seeded, "influencers", "has:email", "--limit", "2", "--sort", "followers")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["HANDLE", "NAME", "EMAIL", "FOLLOWERS", "ENGAGEMENT", "COUNTRY", "LANGUAGE",
                                "TAGS"]
    assert lines[1].split()[0] == "100pct" and "0.5%" in lines[1] and lines[2].startswith("marco ")
    assert "fitness,travel" in lines[2]
    assert lines[3] == "Showing 2 of 5 influencers; use --limit to see more."


def test_influencers_with_no_match_says_so(seeded: Path) -> None:
    result = run(seeded, "influencers", "tag:none")
    assert result.exit_code == 0 and result.stdout == "No influencers match 'tag:none'.\n"


@pytest.mark.parametrize(("args", "fragment"), [
    (("folowers>10",), "Error: Unknown key 'folowers' in 'folowers>10'; did you mean 'followers'?"),
    (("clicked:soon",), "clicked takes yes, no or a number of days such as 7d or 2w, not 'soon'"),
    (("(tag:x",), "'(' at position 1 is never closed"),
    (("tag:x", "--jsn"), "No such option: --jsn."),
])
def test_influencers_errors_are_one_sentence(seeded: Path, args: tuple[str, ...], fragment: str) -> None:
    assert_user_error(run(seeded, "influencers", *args), fragment)


# --- callsheet segment ----------------------------------------------------------------------------

def test_segment_save_list_show_delete(seeded: Path) -> None:
    result = run(seeded, "segment", "save", "beauty", "tag:beauty", "-suppressed:yes")
    assert result.exit_code == 0, result.output
    assert result.stdout == "Saved segment 'beauty': tag:beauty -suppressed:yes (2 influencers match now).\n"
    assert run(seeded, "segment", "save", "big", "followers>=100k").exit_code == 0
    listed = run_json(seeded, "segment", "list")
    assert [(s["name"], s["query"], s["matches"]) for s in listed] == [
        ("beauty", "tag:beauty -suppressed:yes", 2), ("big", "followers>=100k", 2)]
    shown = run_json(seeded, "segment", "show", "BEAUTY")
    assert (shown["name"], shown["matches"]) == ("beauty", 2)
    assert [row["handle"] for row in shown["influencers"]] == ["ana", "sofia.garcia"]
    assert run(seeded, "segment", "delete", "big").stdout == "Deleted segment 'big'.\n"
    assert [s["name"] for s in run_json(seeded, "segment", "list")] == ["beauty"]


def test_segment_show_table_and_limit(seeded: Path) -> None:
    run(seeded, "segment", "save", "mail", "has:email")
    result = run(seeded, "segment", "show", "mail", "--limit", "1")
    lines = result.stdout.splitlines()
    assert lines[:2] == ["mail: has:email", "5 influencers match now."]
    assert lines[2].startswith("HANDLE") and lines[3].startswith("100pct") and len(lines) == 4


def test_segment_list_is_friendly_when_empty(seeded: Path) -> None:
    assert "No segments yet" in run(seeded, "segment", "list").stdout
    assert run_json(seeded, "segment", "list") == []


@pytest.mark.parametrize(("args", "fragment"), [
    (("save", "x", "folowers>1"), "did you mean 'followers'?"),
    (("save", "x", "tag:x", "OR"), "'OR' at position 7 needs a term on each side."),
    (("save", "", "tag:x"), "A segment needs a name."),
    (("show", "nope"), "There is no segment named 'nope'."),
    (("delete", "nope"), "There is no segment named 'nope'."),
])
def test_segment_errors_change_nothing(seeded: Path, args: tuple[str, ...], fragment: str) -> None:
    assert_user_error(run(seeded, "segment", *args), fragment)
    assert run_json(seeded, "segment", "list") == []


def test_segment_save_twice_needs_replace(seeded: Path) -> None:
    run(seeded, "segment", "save", "s", "tag:beauty")
    assert_user_error(run(seeded, "segment", "save", "S", "tag:food"), "A segment named 's' already exists")
    result = run(seeded, "segment", "save", "S", "tag:food", "--replace")
    assert result.exit_code == 0 and "(1 influencer matches now)" in result.stdout
    assert [(s["name"], s["query"]) for s in run_json(seeded, "segment", "list")] == [("s", "tag:food")]


def test_only_managers_save_or_delete_segments(seeded: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run(seeded, "segment", "save", "s", "tag:beauty")
    monkeypatch.setenv("CALLSHEET_USER", "visitor")
    assert_user_error(run(seeded, "segment", "save", "t", "tag:food"),
                      "visitor is a viewer and may not manage")
    assert_user_error(run(seeded, "segment", "delete", "s"), "may not manage campaigns")
    assert [s["name"] for s in run_json(seeded, "segment", "list")] == ["s"]
    assert run_json(seeded, "segment", "show", "s")["matches"] == 3


def test_campaign_create_checks_its_segment_query(seeded: Path) -> None:
    assert_user_error(run(seeded, "campaign", "create", "X", "--segment", "folowers>1"),
                      "did you mean 'followers'?")
    names = {row["name"] for row in json.loads(run(seeded, "campaign", "list", "--json").stdout)}
    assert names == {"Spring 25", "Glow"}
