"""`callsheet campaign create | list | show`, and their refusals."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from store.db import Store
from tests.cli_helpers import assert_user_error, run, run_json


def _digest(db_path: Path) -> str:
    from store.db import Store

    store = Store(db_path)
    rows = store.reader().execute("SELECT * FROM campaigns ORDER BY id").fetchall()
    store.close()
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_create_with_every_option(db_path: Path) -> None:
    result = run(db_path, "campaign", "create", "Spring 25", "--program", "Lumen",
                 "--sender", "Casting@Lumen.EXAMPLE", "--budget", "1000", "--min-followers", "5000",
                 "--min-engagement", "2.5", "--opens", "2026-12-01", "--closes", "2026-12-20T18:00",
                 "--timezone", "Europe/Paris", "--window", "mon-fri 09:00-18:00",
                 "--window", "sat 10:00-12:00", "--daily-cap", "40", "--no-moderation",
                 "--segment", "", "--languages", "fr,en", "--requires-agreement",
                 "--invite-limit", "280")
    assert result.exit_code == 0, result.output
    shown = run_json(db_path, "campaign", "show", "spring 25")
    assert shown["sender_email"] == "Casting@lumen.example"
    assert shown["windows"] == ["mon-fri 09:00-18:00", "sat 10:00-12:00"]
    assert shown["closes_at"] == "2026-12-20T17:00:00+00:00"  # 18:00 in Paris, stored in UTC
    assert shown["opens_at"] == "2026-11-30T23:00:00+00:00"
    assert (shown["moderation"], shown["requires_agreement"], shown["invite_limit"]) == (0, 1, 280)
    assert shown["languages"] == ["fr", "en"]
    listed = run_json(db_path, "campaign", "list")
    assert [c["name"] for c in listed] == ["Spring 25"]


@pytest.mark.parametrize(("args", "fragment"), [
    (["--timezone", "Mars/Olympus"], "Unknown time zone"),
    (["--window", "mon-fri 9-18"], "is not of the form"),
    (["--window", "mon-fry 09:00-18:00"], "unknown day"),
    (["--window", "22:00-02:00"], "overnight"),
    (["--daily-cap", "-1"], "--daily-cap cannot be negative"),
    (["--budget", "-5"], "--budget cannot be negative"),
    (["--min-engagement", "140"], "cannot exceed 100"),
    (["--sender", "not an address"], "--sender"),
    (["--closes", "soon"], "--closes"),
    (["--opens", "2026-12-10", "--closes", "2026-12-01"], "--closes must be after --opens"),
    (["--languages", "english"], "--languages"),
])
def test_bad_options_write_nothing(db_path: Path, args: list[str], fragment: str) -> None:
    run(db_path, "campaign", "create", "Existing")
    before = _digest(db_path)
    assert_user_error(run(db_path, "campaign", "create", "New one", *args), fragment)
    assert _digest(db_path) == before


def test_duplicate_name_is_refused(db_path: Path) -> None:
    run(db_path, "campaign", "create", "Spring")
    assert_user_error(run(db_path, "campaign", "create", "SPRING"), "already exists")


def test_show_unknown_campaign(db_path: Path, store: Store) -> None:
    assert_user_error(run(db_path, "campaign", "show", "nope"), "There is no campaign named 'nope'.")


def test_viewer_cannot_create(db_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    # The store fixture made the file as tester, its manager.
    monkeypatch.setenv("CALLSHEET_USER", "visitor")
    assert_user_error(run(db_path, "campaign", "create", "X"), "visitor is a viewer")


def test_operator_add_and_list(db_path: Path) -> None:
    added = run(db_path, "operator", "add", "mia", "--role", "moderator", "--from", "mia@x.example")
    assert added.exit_code == 0, added.output
    rows = run_json(db_path, "operator", "list")
    assert {(r["login"], r["role"]) for r in rows} == {("tester", "manager"), ("mia", "moderator")}
