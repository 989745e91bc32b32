"""Irreversible decisions are checked against the rules before anyone is asked to confirm (issue 11.15)."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from mailer.actions import pipeline
from store.clock import Clock
from store.db import Store
from tests.app_helpers import PINNED
from tests.cli_helpers import run
from tests.pilot_helpers import settled, until
from tests.pipeline_helpers import add_influencer, make_campaign, stage_of, table_counts
from tui.app import make_app
from tui.screens.pipeline import PipelineScreen
from tui.widgets.confirm import ConfirmScreen

AGREEMENT = "requires a signed agreement first"


def _agreement_campaign(path: Path) -> Store:
    """ana waits for review; bob and cleo signed their agreements."""
    store = Store(path, Clock.fixed(PINNED), actor="tester")
    make_campaign(store, "Deal", requires_agreement=True)
    for handle in ("ana", "bob", "cleo"):
        add_influencer(store, handle)
        pipeline.apply(store, "Deal", handle)
    for decision in ("send-agreement", "signed"):
        pipeline.decide(store, "Deal", ["bob", "cleo"], decision)
    return store


def test_check_sorts_who_may_move_and_why_the_others_may_not(tmp_path: Path) -> None:
    store = _agreement_campaign(tmp_path / "deal.db")
    check = pipeline.check_decision(store, "Deal", ["ana", "bob"], "accept")
    assert check.ready == ["bob"]
    assert len(check.problems) == 1 and "@ana" in check.problems[0] and AGREEMENT in check.problems[0]


def test_decide_on_the_command_line_lists_each_problem_on_its_line(tmp_path: Path) -> None:
    store = _agreement_campaign(db_path := tmp_path / "deal.db")
    pipeline.decide(store, "Deal", ["cleo"], "reject")
    before = table_counts(store)
    result = run(db_path, "decide", "Deal", "ana", "bob", "cleo", "accept", "--yes")
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert lines[0] == "Error: Nothing changed, 2 problems:" and len(lines) == 3
    assert any("@ana" in line and AGREEMENT in line for line in lines[1:])
    assert any("@cleo" in line and "rejected" in line for line in lines[1:])
    assert table_counts(store) == before


async def _tag(pilot, screen: PipelineScreen, handles: set[str]) -> None:
    await until(pilot, lambda: {r.handle for r in screen.rows} >= handles)
    for index, row in enumerate(screen.rows):
        if row.handle in handles:
            screen.query_one("DataTable").move_cursor(row=index)
            screen.action_tag()
    await until(pilot, lambda: set(screen.tagged.values()) == handles)


async def test_the_confirmation_counts_only_who_may_move_and_lists_the_others(tmp_path: Path) -> None:
    store = _agreement_campaign(tmp_path / "deal.db")
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        await _tag(pilot, screen, {"ana", "bob"})
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        question = str(app.screen.query_one(".question", Static).render())
        assert question.startswith("Accept @bob in 'Deal'?")
        assert "1 other cannot be accepted" in question and "@ana" in question and AGREEMENT in question
        await pilot.press("y")
        await until(pilot, lambda: stage_of(store, "Deal", "bob") == "in campaign")
        await settled(app)
        assert stage_of(store, "Deal", "ana") == "to review"


async def test_nothing_allowed_means_no_question_only_the_reason(tmp_path: Path) -> None:
    store = _agreement_campaign(tmp_path / "deal.db")
    before = table_counts(store)
    app = make_app(store)
    notes: list[str] = []
    async with app.run_test(size=(120, 40)) as pilot:
        app.notify = lambda message, **_kw: notes.append(str(message))  # type: ignore[method-assign]
        screen = app.screen
        await _tag(pilot, screen, {"ana"})
        await pilot.press("a")
        await until(pilot, lambda: bool(notes))
        assert not isinstance(app.screen, ConfirmScreen)
        assert AGREEMENT in notes[0] and "@ana" in notes[0]
    assert table_counts(store) == before
