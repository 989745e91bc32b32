"""The Pipeline table at 80×24 and wider: an identifier is never cut silently (issue 16)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable

from mailer.actions import pipeline
from store.db import Store
from tests.pilot_helpers import until
from tests.pipeline_helpers import add_influencer, make_campaign
from tui.app import make_app
from tui.screens.pipeline import PipelineScreen

LONG = "mia.rossi.official.beauty.paris"  # longer than any column, at any width


def _store(path: Path) -> Store:
    store = Store(path)
    make_campaign(store, "Glow")
    for handle in ("mia.rossi278", "mia.rossi27", "zoe.tanaka77", LONG):
        add_influencer(store, handle, name=handle.title())
    pipeline.invite(store, "Glow", ["mia.rossi278", "mia.rossi27", "zoe.tanaka77", LONG])
    return store


def _column(table: DataTable, key: str) -> list[str]:
    return [str(table.get_cell(row_key, key)) for row_key in table.rows]


@pytest.mark.parametrize(("size", "with_source"), [((80, 24), False), ((120, 40), True)])
async def test_handles_show_whole_or_end_in_an_ellipsis(tmp_path: Path, size, with_source) -> None:
    app = make_app(_store(tmp_path / "p.db"))
    async with app.run_test(size=size) as pilot:
        screen = app.screen
        assert isinstance(screen, PipelineScreen)
        table = screen.query_one(DataTable)
        await until(pilot, lambda: table.row_count == 4)
        keys = [str(column.key.value) for column in table.ordered_columns]
        assert ("source" in keys) is with_source, "at 80 columns the source gives way to the handle"
        width = {str(column.key.value): column.width for column in table.ordered_columns}
        handles = _column(table, "handle")
        assert sorted(h for h in handles if not h.endswith("…")) == [
            "@mia.rossi27", "@mia.rossi278", "@zoe.tanaka77"]
        cut = next(h for h in handles if h.endswith("…"))
        assert LONG.startswith(cut[1:-1]) and len(cut) == width["handle"]
        assert all(len(name) <= width["name"] for name in _column(table, "name"))
        assert any(name.endswith("…") for name in _column(table, "name"))
