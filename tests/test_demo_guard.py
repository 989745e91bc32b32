"""The demo runs only on a workspace it made: a real one, named by --db or $CALLSHEET_DB, is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from store.db import Store
from store.workspace import Kind, kind_of
from tests.cli_helpers import assert_user_error, run
from tests.import_helpers import fingerprint
from tests.inbox_helpers import add_campaign, add_influencer, send


@pytest.fixture
def real_workspace(store: Store, db_path: Path) -> Path:
    """A workspace with one message queued for a real SMTP server."""
    campaign = add_campaign(store, "Spring")
    send(store, add_influencer(store, "ana"), campaign_id=campaign, status="queued")
    store.close()
    return db_path


def _statuses(path: Path) -> list[str]:
    store = Store(path)
    try:
        return [r[0] for r in store.reader().execute("SELECT status FROM messages")]
    finally:
        store.close()


@pytest.mark.parametrize("where", ["before", "after"])
def test_demo_refuses_a_real_workspace_named_by_db(real_workspace: Path, where: str) -> None:
    before = fingerprint(real_workspace)
    args = ("demo", "--no-open") if where == "before" else ("demo", "--no-open", "--db", str(real_workspace))
    result = run(real_workspace, *args)
    assert_user_error(result, "is not a demo workspace")
    assert fingerprint(real_workspace) == before
    assert _statuses(real_workspace) == ["queued"]


def test_demo_refuses_a_real_workspace_named_by_the_environment(
        real_workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from tui.cli import main

    monkeypatch.setenv("CALLSHEET_DB", str(real_workspace))
    before = fingerprint(real_workspace)
    for args in (["demo"], ["demo", "--reset", "--no-open"]):
        result = CliRunner().invoke(main, args, catch_exceptions=False)
        assert_user_error(result, "is not a demo workspace")
    assert fingerprint(real_workspace) == before
    assert _statuses(real_workspace) == ["queued"]


def test_the_demo_marks_its_own_file(tmp_path: Path) -> None:
    demo = tmp_path / "mine.db"
    assert kind_of(demo) is Kind.MISSING
    assert run(demo, "demo", "--no-open").exit_code == 0
    assert kind_of(demo) is Kind.DEMO
    assert run(demo, "demo", "--no-open").exit_code == 0  # and reopens it


def test_a_file_that_is_not_a_database_is_not_a_demo(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.db"
    bogus.write_text("my notes, not a database\n")
    assert_user_error(run(bogus, "demo", "--no-open", "--reset"), "is not a demo workspace")
    assert bogus.read_text() == "my notes, not a database\n"
