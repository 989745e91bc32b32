"""The Pipeline pane driven by Pilot: tagging, bulk decisions with confirmation, undo, paging, refresh."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Select, Static

from mailer.actions import pipeline
from store.clock import Clock
from store.db import Store
from tests.app_helpers import PINNED, demo_app
from tests.pilot_helpers import settled, until
from tests.pipeline_helpers import add_influencer, add_people, make_campaign
from tui.action_worker import ActionFinished
from tui.app import make_app
from tui.screens.pipeline import PipelineScreen
from tui.widgets.confirm import ConfirmScreen
from tui.widgets.pipeline_bits import CountersBar, ProfilePanel


def _text(screen: PipelineScreen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


def _stages(store: Store, campaign: str = "Winter Capsule 25") -> dict[str, int]:
    return dict(store.writer.execute(
        "SELECT a.stage, count(*) FROM applications a JOIN campaigns c ON c.id = a.campaign_id "
        "WHERE c.name = ? GROUP BY a.stage", (campaign,)).fetchall())


async def _filter_stage(pilot: Pilot, stage: str) -> None:
    screen = pilot.app.screen
    screen.query_one("#stage-filter", Select).value = stage
    await until(pilot, lambda: screen.view is not None and screen.view.stages == (stage,)
                and all(r.stage == stage for r in screen.rows))
    screen.query_one(DataTable).focus()


async def test_opens_on_the_first_campaign_with_counters(tmp_path: Path) -> None:
    app = demo_app(tmp_path / "demo.db")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await until(pilot, lambda: bool(screen.rows))
        assert isinstance(screen, PipelineScreen)
        assert screen.campaign_name == "Winter Capsule 25"
        assert "rows 1–58 of 58" in _text(screen, "#page-info")
        counters = _text(screen, "#counters")
        assert "58 candidates · 15 new · 5 in · 5 rejected" in counters
        assert screen.query_one(DataTable).row_count == 58
        assert "ineligible" not in {r.stage for r in screen.rows}


async def test_tag_three_bulk_reject_with_confirmation_and_counters_change(tmp_path: Path) -> None:
    app = demo_app(tmp_path / "demo.db")
    messages: list = []
    async with app.run_test(size=(80, 24), message_hook=messages.append) as pilot:
        screen = app.screen
        await until(pilot, lambda: bool(screen.rows))
        await _filter_stage(pilot, "to review")
        before = _stages(app.store)
        chosen = [row.handle for row in screen.rows[:3]]
        for _ in range(3):
            await pilot.press("space")
        assert sorted(screen.tagged.values()) == sorted(chosen)
        assert "3 tagged" in _text(screen, "#page-info")
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        question = str(app.screen.query_one(".question", Static).render())
        assert "Reject 3 applications in 'Winter Capsule 25'?" in question
        assert "3 rejected emails will be sent" in question
        await pilot.press("y")
        await until(pilot, lambda: any(isinstance(m, ActionFinished) for m in messages))
        await until(pilot, lambda: "8 rejected" in _text(screen, "#counters"))
        after = _stages(app.store)
        assert after["rejected"] == before["rejected"] + 3
        assert after["to review"] == before["to review"] - 3
        handles = {r[0] for r in app.store.writer.execute(
            "SELECT i.handle FROM messages m JOIN influencers i ON i.id = m.influencer_id "
            "WHERE m.kind = 'rejected' AND m.status = 'queued'")}
        assert handles == set(chosen)
        assert screen.tagged == {}


async def test_cancelling_the_confirmation_changes_nothing(tmp_path: Path) -> None:
    app = demo_app(tmp_path / "demo.db")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await until(pilot, lambda: bool(screen.rows))
        await _filter_stage(pilot, "to review")
        before = _stages(app.store)
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        question = str(app.screen.query_one(".question", Static).render())
        assert question.startswith(f"Accept @{screen.rows[0].handle} in 'Winter Capsule 25'?"), question
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, PipelineScreen))
        await settled(app)
        assert _stages(app.store) == before


async def test_accept_then_undo_within_the_window(tmp_path: Path) -> None:
    app = demo_app(tmp_path / "demo.db")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await until(pilot, lambda: bool(screen.rows))
        await _filter_stage(pilot, "to review")
        handle = screen.rows[0].handle
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await until(pilot, lambda: screen.last_batch is not None)
        mail = app.store.writer.execute(
            "SELECT m.status, m.scheduled_at, m.flags FROM messages m "
            "JOIN influencers i ON i.id = m.influencer_id WHERE i.handle = ? AND m.kind = 'accepted'",
            (handle,)).fetchone()
        assert mail == ("queued", "2026-11-23T10:00:30+00:00", '["undoable"]')
        await pilot.press("u")
        await until(pilot, lambda: screen.last_batch is None and handle in {r.handle for r in screen.rows})
        await until(pilot, lambda: app.store.writer.execute(
            "SELECT status FROM messages m JOIN influencers i ON i.id = m.influencer_id "
            "WHERE i.handle = ? AND m.kind = 'accepted'", (handle,)).fetchone()[0] == "skipped")


async def test_an_illegal_move_is_one_sentence_and_changes_nothing(tmp_path: Path) -> None:
    app = demo_app(tmp_path / "demo.db")
    messages: list = []
    async with app.run_test(size=(80, 24), message_hook=messages.append) as pilot:
        screen = app.screen
        await until(pilot, lambda: bool(screen.rows))
        await _filter_stage(pilot, "invited")
        before = _stages(app.store)
        await pilot.press("s")
        await until(pilot, lambda: bool(app._notifications))
        [refusal] = list(app._notifications)
        assert refusal.severity == "error"
        assert ("the application is at stage 'invited' and has not answered the invitation yet"
                in refusal.message)
        assert not any(isinstance(m, ActionFinished) and m.outcome is not None for m in messages)
        assert _stages(app.store) == before


def _big_store(path: Path, count: int = 250) -> Store:
    store = Store(path, Clock.fixed(PINNED), actor="tester")
    make_campaign(store, "Big")
    handles = add_people(store, count)
    for handle in handles:
        pipeline.apply(store, "Big", handle)
    return store


async def test_pages_are_read_from_sqlite_one_at_a_time(tmp_path: Path) -> None:
    app = make_app(_big_store(tmp_path / "big.db"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await until(pilot, lambda: bool(screen.rows))
        table = screen.query_one(DataTable)
        assert table.row_count == 100
        assert "rows 1–100 of 250" in _text(screen, "#page-info")
        await pilot.press("n")
        await until(pilot, lambda: "rows 101–200 of 250" in _text(screen, "#page-info"))
        await pilot.press("G")
        await until(pilot, lambda: "rows 151–250 of 250" in _text(screen, "#page-info"))
        assert table.row_count == 100
        await pilot.press("g")
        await until(pilot, lambda: "rows 1–100 of 250" in _text(screen, "#page-info"))
        seen_first = screen.rows[0].handle
        table.move_cursor(row=99)
        await pilot.press("j")
        await until(pilot, lambda: "rows 101–200" in _text(screen, "#page-info"))
        await pilot.press("p")
        await until(pilot, lambda: "rows 1–100 of 250" in _text(screen, "#page-info"))
        assert screen.rows[0].handle == seen_first


async def test_sort_search_and_profile(tmp_path: Path) -> None:
    app = make_app(_big_store(tmp_path / "big.db", 30))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await until(pilot, lambda: bool(screen.rows))
        await pilot.press("o")
        await until(pilot, lambda: screen.view.sort == "name")
        names = [r.handle for r in screen.rows]
        assert names == sorted(names)
        await pilot.press("o")  # name → stage
        await until(pilot, lambda: screen.view.sort == "stage")
        await pilot.press("slash")
        search = screen.query_one("#search", Input)
        assert search.has_focus
        await pilot.press(*"p0012", "enter")
        await until(pilot, lambda: screen.view.search == "p0012" and len(screen.rows) == 1)
        assert "of 1" in _text(screen, "#page-info")
        await pilot.press("enter")
        await until(pilot, lambda: "@p0012" in str(screen.query_one(ProfilePanel).render()))
        assert screen.query_one(ProfilePanel).display


async def test_the_pane_refreshes_when_another_process_writes(tmp_path: Path) -> None:
    path = tmp_path / "big.db"
    app = make_app(_big_store(path, 5))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await until(pilot, lambda: bool(screen.rows))
        assert "0 rejected" in str(screen.query_one(CountersBar).render())
        other = Store(path, Clock.fixed(PINNED), actor="tester")  # another connection, as a second process
        try:
            pipeline.decide(other, "Big", ["p0000", "p0001"], "reject")
        finally:
            other.close()
        await until(pilot, lambda: "2 rejected" in str(screen.query_one(CountersBar).render()))


async def test_the_search_bar_speaks_the_query_syntax(tmp_path: Path) -> None:
    store = _big_store(tmp_path / "big.db", 12)
    for handle in ("small1", "small2"):
        add_influencer(store, handle, followers=800)
        pipeline.apply(store, "Big", handle)
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await until(pilot, lambda: screen.total == 14)
        await pilot.press("slash", *"followers<1k", "enter")
        await until(pilot, lambda: screen.total == 2)
        assert {r.handle for r in screen.rows} == {"small1", "small2"}
        await pilot.press("slash")
        screen.query_one("#search", Input).value = "followers>>3"
        await pilot.press("enter")
        await pilot.pause()
        assert screen.view.search == "followers<1k"  # a bad query leaves the view as it was


async def test_capital_p_pauses_after_asking_then_resumes(tmp_path: Path) -> None:
    app = demo_app(tmp_path / "demo.db")
    messages: list = []
    status = "SELECT status, paused_reason FROM campaigns WHERE name = 'Winter Capsule 25'"
    async with app.run_test(size=(80, 24), message_hook=messages.append) as pilot:
        screen = app.screen
        await until(pilot, lambda: bool(screen.rows))
        await pilot.press("P")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "Pause 'Winter Capsule 25'?" in str(app.screen.query_one(".question", Static).render())
        await pilot.press("y")
        await until(pilot, lambda: "paused by tester" in _text(screen, "#counters"))
        assert app.store.writer.execute(status).fetchone() == ("paused", "Paused by tester")
        assert any(isinstance(m, ActionFinished)
                   and m.sentence.startswith("Winter Capsule 25 is paused by tester") for m in messages)
        await pilot.press("P")  # resuming asks nothing
        await until(pilot, lambda: "paused" not in _text(screen, "#counters"))
        assert app.store.writer.execute(status).fetchone() == ("open", None)
        assert any(isinstance(m, ActionFinished) and m.sentence.startswith("Winter Capsule 25 is open again")
                   for m in messages)


async def _accept_the_first_to_review(app, pilot: Pilot) -> PipelineScreen:
    """Accept the first application to review, confirmed: its email is held for the undo window."""
    screen = app.screen
    await until(pilot, lambda: bool(screen.rows))
    await _filter_stage(pilot, "to review")
    await pilot.press("a")
    await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
    await pilot.press("y")
    return screen


async def test_the_undo_window_counts_down_on_the_clock(tmp_path: Path) -> None:
    app = demo_app(tmp_path / "demo.db")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _accept_the_first_to_review(app, pilot)
        await until(pilot, lambda: "u undoes the accept of 1: 30 s left" in _text(screen, "#page-info"))
        app.store.clock.pinned = Clock.fixed("2026-11-23T10:00:21+00:00").now()
        await until(pilot, lambda: "u undoes the accept of 1: 9 s left" in _text(screen, "#page-info"))
        app.store.clock.pinned = Clock.fixed("2026-11-23T10:00:30+00:00").now()
        await until(pilot, lambda: "undoes" not in _text(screen, "#page-info"))
        assert screen.undo_until is None


async def test_an_undo_ends_the_countdown(tmp_path: Path) -> None:
    app = demo_app(tmp_path / "demo.db")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _accept_the_first_to_review(app, pilot)
        await until(pilot, lambda: "s left" in _text(screen, "#page-info"))
        await pilot.press("u")
        await until(pilot, lambda: screen.undo_until is None and "undoes" not in _text(screen, "#page-info"))
