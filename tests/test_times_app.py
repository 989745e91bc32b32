"""One time format in every mode (tui/times.py), in the operator's zone, the zone named where it matters."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from textual.widgets import DataTable, Static

from store.db import Store
from tests.pilot_helpers import until
from tests.test_inbox_pane import open_inbox, seeded  # noqa: F401 (a fixture)
from tests.test_moderation_pane import queue_store, settle
from tui.app import make_app
from tui.screens.moderation import ModerationScreen
from tui.widgets.conversation_list import conversation_label
from tui.widgets.invitation_list import InvitationList
from tui.widgets.timeline_view import TimelineView

TOKYO = ZoneInfo("Asia/Tokyo")  # UTC+9: 10:00 UTC on the 23rd is 19:00 there, 16:00 UTC is the 24th


async def test_the_inbox_list_and_timeline_read_in_the_operators_zone(seeded: Store) -> None:  # noqa: F811
    app = make_app(seeded, local_zone="Asia/Tokyo")
    async with app.run_test(size=(120, 40)) as pilot:
        listing = await open_inbox(app, pilot)
        view = app.screen.query_one(TimelineView)
        await until(pilot, lambda: "What is the fee?" in view.plain_text)
        assert "2026-11-23 19:00  reply" in view.plain_text, view.plain_text
        assert "10:00" not in view.plain_text, "no UTC time left in the timeline"
        head = conversation_label(listing.rows[0], False, listing.zone, listing.now).renderables[0]
        assert head.plain.endswith(" 19:00"), head.plain  # today in Tokyo: the time alone
        assert "2026-11-23 19:00 JST" in app.sub_title


def test_an_older_conversation_shows_its_date_in_the_one_format(seeded: Store) -> None:  # noqa: F811
    from store.conversations import InboxFilter, page

    row = page(seeded.reader(), InboxFilter(), now=seeded.now_iso())[0]
    now = seeded.clock.now().replace(day=25)
    head = conversation_label(row, False, TOKYO, now).renderables[0]
    assert head.plain.endswith(" 11-23"), head.plain  # never 23/11, which reads both ways
    a_year_on = conversation_label(row, False, TOKYO, now.replace(year=2027)).renderables[0]
    assert a_year_on.plain.endswith(" 2026-11-23"), a_year_on.plain


async def test_moderation_lists_and_previews_send_times_with_the_zone_named(tmp_path: Path) -> None:
    store = queue_store(tmp_path / "q.db")
    app = make_app(store, local_zone="Asia/Tokyo")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("3")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ModerationScreen)
        item = screen.query_one(InvitationList).current
        assert item is not None
        row = store.writer.execute("SELECT scheduled_at FROM messages WHERE id = ?", [item.id]).fetchone()
        from tui.times import shown_time

        assert item.when == shown_time(row[0], TOKYO) and len(item.when) == len("2026-11-24 09:00")
        preview = screen.query_one("#preview", Static)
        await until(pilot, lambda: "sends" in str(preview.content))
        text = str(preview.content)
        assert f"sends {item.when} JST (" in text and "Europe/Paris)" in text, text
    store.close()


async def test_the_outbox_names_the_zone_as_read_beside_a_time(seeded: Store) -> None:  # noqa: F811
    app = make_app(seeded, local_zone="Europe/Paris")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("4")
        table = app.screen.query_one(DataTable)
        await until(pilot, lambda: bool(table.columns))
        titles = [str(column.label) for column in table.columns.values()]
        assert "when (CET)" in titles, titles


async def test_the_pipeline_counters_and_last_column_read_in_the_operators_zone(tmp_path: Path) -> None:
    from tests.app_helpers import demo_store
    from tui.screens.pipeline import PipelineScreen
    from tui.widgets.pipeline_bits import CountersBar

    app = make_app(demo_store(tmp_path / "demo.db"), local_zone="Asia/Tokyo")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, PipelineScreen)
        await until(pilot, lambda: bool(screen.rows))
        counters = str(screen.query_one(CountersBar).render())
        assert "T" not in counters.split("changed ")[1][:16], counters
        from tui.times import shown_time

        table = screen.query_one(DataTable)
        for index, row in enumerate(screen.rows):
            if row.last_message:
                assert str(table.get_row_at(index)[-1]) == shown_time(row.last_message, TOKYO)[5:10]
