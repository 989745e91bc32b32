"""The tab bar under each mode's header: the four modes, its own marked, what is in force, a click on a
tab, and the loading cue of a Pipeline campaign switch."""

from __future__ import annotations

from pathlib import Path

from textual.app import App
from textual.widgets import DataTable, Select, Static

from store.conversations import InboxFilter
from tests.app_helpers import demo_app
from tests.pilot_helpers import settled, until
from tui.screens.inbox import InboxScreen
from tui.screens.mode_where import inbox_where
from tui.screens.pipeline import PipelineScreen
from tui.widgets.mode_bar import ModeBar, bar_line, tabs

MODES = (("1", "pipeline", "Pipeline"), ("2", "inbox", "Inbox"), ("3", "moderation", "Moderation"),
         ("4", "outbox", "Outbox"))


def bar_text(app: App, mode: str | None = None) -> str:
    """The bar of a mode's screen (the current one by default) as drawn: what fits, and its `…`."""
    screen = app.screen if mode is None else app._screen_stacks[mode][0]
    bar = screen.query_one(ModeBar)
    return "".join(segment.text for segment in bar.render_line(0)).rstrip()


def test_the_current_mode_is_marked_without_colour_and_nothing_shifts() -> None:
    line = bar_line("inbox", "all conversations", None)
    assert line.plain == " 1 Pipeline [2 Inbox] 3 Moderation  4 Outbox │ all conversations"
    marked = [span for span in line.spans if "reverse" in str(span.style) and "bold" in str(span.style)]
    assert [line.plain[span.start:span.end] for span in marked] == ["[2 Inbox]"]
    # Every tab is as wide marked as unmarked: switching mode moves nothing.
    assert {len(text) for mode, text in tabs("inbox")} == {len(text) for mode, text in tabs("outbox")}
    assert bar_line("outbox", "sent mail", None).plain.endswith("[4 Outbox] │ sent mail")


def test_what_does_not_fit_ends_in_the_cut_mark() -> None:
    line = bar_line("pipeline", "Winter Capsule 25 · active stages · search: followers>=10000", 80)
    assert line.cell_length == 80 and line.plain.endswith("…")
    assert line.plain.startswith("[1 Pipeline] 2 Inbox ")


async def test_every_modes_bar_names_its_own_mode_while_hidden(tmp_path: Path) -> None:
    app = demo_app(tmp_path / "demo.db")
    async with app.run_test(size=(80, 24)) as pilot:
        for key, _mode, _title in (*MODES[1:], MODES[0]):
            await pilot.press(key)
            await settled(app)
            await pilot.pause()
        for key, mode, title in MODES:  # the hidden ones were not redrawn as the current mode
            assert f"[{key} {title}]" in bar_text(app, mode), bar_text(app, mode)
            assert bar_text(app, mode).count("[") == 1
        assert bar_text(app, "inbox").endswith("│ all conversations")
        assert bar_text(app, "moderation").endswith("│ every campaign")
        assert bar_text(app, "outbox").endswith("│ waiting mail")


async def test_the_pipeline_bar_names_the_campaign_and_its_filters(tmp_path: Path) -> None:
    app = demo_app(tmp_path / "demo.db")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, PipelineScreen)
        await until(pilot, lambda: bool(screen.rows))
        first = screen.campaign_name
        assert bar_text(app).endswith(f"│ {first} · active stages"), bar_text(app)
        screen.query_one("#stage-filter", Select).value = "all"
        screen.query_one("#source-filter", Select).value = "applied"
        await until(pilot, lambda: bar_text(app).endswith(f"│ {first} · all stages · applied only"))
        await pilot.press("slash")
        await pilot.press(*"tag:beauty", "enter")
        await until(pilot, lambda: bar_text(app).endswith("· applied only · search: tag:beauty"))


async def test_a_campaign_switch_clears_the_rows_at_once(tmp_path: Path) -> None:
    """Without waiting on anything, the switch takes the old campaign's rows away and says what comes."""
    app = demo_app(tmp_path / "demo.db")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, PipelineScreen)
        await until(pilot, lambda: bool(screen.rows))
        other_id = next(campaign_id for campaign_id, name in screen.campaign_names.items()
                        if name != screen.campaign_name)
        before = {row.application_id for row in screen.rows}
        screen._choose_campaign(other_id)  # as the picker's Changed does; its page is read in a worker
        other = screen.campaign_name
        assert screen.query_one(DataTable).row_count == 0 and screen.rows == []
        assert screen.query_one(ModeBar).where == f"loading {other} …"
        assert str(screen.query_one("#page-info", Static).render()) == f"loading {other} …"
        await until(pilot, lambda: bool(screen.rows))
        assert not before & {row.application_id for row in screen.rows}  # the new campaign's own
        assert screen.query_one(ModeBar).where.startswith(f"{other} · ")
        assert "rows 1–" in str(screen.query_one("#page-info", Static).render())


async def test_a_click_on_a_tab_switches_mode(tmp_path: Path) -> None:
    app = demo_app(tmp_path / "demo.db")
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(app)
        start = bar_line("pipeline", "", None).plain.index(" 2 Inbox ")
        await pilot.click(ModeBar, offset=(start + 3, 0))
        await until(pilot, lambda: isinstance(app.screen, InboxScreen))
        assert "[2 Inbox]" in bar_text(app)
        await pilot.click(ModeBar, offset=(2, 0))  # back on "1 Pipeline"
        await until(pilot, lambda: isinstance(app.screen, PipelineScreen))


def test_the_inbox_bar_says_its_filter() -> None:
    assert inbox_where(InboxFilter(), None) == "all conversations"
    assert inbox_where(InboxFilter(3, True, True, "fee"), "Glow Serum Launch") == (
        "Glow Serum Launch · unread · bookmarked · search: fee")
    unread = InboxFilter(None, False, True, "", "tag:beauty")
    assert inbox_where(unread, None) == "unread · search: tag:beauty"
