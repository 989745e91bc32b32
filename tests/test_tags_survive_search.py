"""Tags are ids, not rows: tagging in the Pipeline or the Inbox and then searching keeps them, the
count says how many are tagged (shown or not), and an action on the tagged acts on all of them."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Static

from store.db import Store
from tests.pilot_helpers import until
from tests.test_inbox_pane import open_inbox, seeded  # noqa: F401 (a fixture)
from tests.test_pipeline_keys import _applied, _handles, _info, _opened
from tui.app import make_app


async def test_pipeline_tags_survive_a_search_and_its_clearing(tmp_path: Path) -> None:
    app = make_app(_applied(tmp_path / "p.db", 5))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _opened(pilot)
        first, second = _handles(screen)[:2]
        await pilot.press("space", "space")  # tags the first two
        assert sorted(screen.tagged.values()) == sorted([first, second]) and "2 tagged" in _info(screen)
        await pilot.press("slash", *"p0004", "enter")
        await until(pilot, lambda: screen.view.search == "p0004" and len(screen.rows) == 1 and screen.counted)
        assert sorted(screen.tagged.values()) == sorted([first, second])
        assert "2 tagged" in _info(screen), _info(screen)
        await pilot.press("escape")
        await until(pilot, lambda: screen.view.search == "" and len(screen.rows) == 5)
        assert "2 tagged" in _info(screen)
        table = screen.query_one(DataTable)
        marked = [str(table.get_row_at(index)[0]) for index in range(table.row_count)]
        assert sum(cell.startswith("●") for cell in marked) == 2, "both rows show their tag again"


async def test_inbox_tags_survive_a_search_and_the_summary_counts_them(seeded: Store) -> None:  # noqa: F811
    app = make_app(seeded)
    async with app.run_test(size=(120, 40)) as pilot:
        listing = await open_inbox(app, pilot)
        summary = app.screen.query_one("#inbox-summary", Static)
        await pilot.press("t", "t")
        tagged = set(listing.tagged)
        assert len(tagged) == 2
        await until(pilot, lambda: "2 tagged" in str(summary.content))
        await pilot.press("slash", *"cy", "enter")
        await until(pilot, lambda: [row.handle for row in listing.rows] == ["cy"])
        assert listing.tagged == tagged
        assert "2 tagged" in str(summary.content), str(summary.content)
        await pilot.press("escape")
        await until(pilot, lambda: len(listing.rows) == 3)
        assert listing.tagged == tagged and "2 tagged" in str(summary.content)
