"""The reference: bare Textual apps doing the app's widget work with data read beforehand.

Same harness, same process, same size: an Input and a DataTable whose 100 rows are swapped (the
Pipeline), a mode switch to a fresh screen with an OptionList of 100 conversations (the Inbox's first
open), an OptionList swap (its search) and a Static updated on `down`, OptionList's own `j` (its timeline).
"""

from __future__ import annotations

from itertools import cycle
from typing import Any

from rich.console import Group
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, OptionList, Static
from textual.widgets.option_list import Option

from store import conversations, pipeline_view, timeline
from store.conversations import InboxFilter
from store.db import Store
from store.pipeline_view import View
from tests.bench.feel_app import SIZE
from tests.bench.frames import FrameTimer
from tui.screens.pipeline import COLUMNS
from tui.widgets.conversation_list import conversation_label
from tui.widgets.pipeline_bits import table_row
from tui.widgets.timeline_view import render_entries


class TableScreen(Screen[None]):
    """Header, Input, DataTable, Footer; Enter, `n` and `o` each swap in the next 100 rows."""

    BINDINGS = [Binding("n", "swap"), Binding("o", "swap"), Binding("2", "app.switch_mode('list')")]

    def __init__(self, pages: list[list[tuple]]) -> None:
        super().__init__()
        self.pages = cycle(pages)
        self.swaps = 0

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(id="search")
        yield DataTable(id="table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for key, label, width in COLUMNS:
            table.add_column(label, key=key, width=width)
        self.action_swap()
        table.focus()

    def on_input_submitted(self) -> None:
        self.action_swap()
        self.query_one(DataTable).focus()

    def action_swap(self) -> None:
        table = self.query_one(DataTable)
        table.clear()
        for n, row in enumerate(next(self.pages)):
            table.add_row(*row, key=str(n))
        self.swaps += 1


class ListScreen(Screen[None]):
    """Header, Input, OptionList, Static, Footer: Enter swaps the list, `j` shows the next timeline."""

    BINDINGS = [Binding("1", "app.switch_mode('table')")]

    def __init__(self, labels: list[Group], timelines: list[Group]) -> None:
        super().__init__()
        self.labels, self.timelines = labels, cycle(timelines)
        self.swaps = self.shown = 0

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(id="search")
        yield OptionList(id="list")
        yield Static("", id="timeline")
        yield Footer()

    def on_mount(self) -> None:
        self.swap()
        self.query_one(OptionList).focus()

    def on_input_submitted(self) -> None:
        self.swap()
        self.query_one(OptionList).focus()

    def swap(self) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options(Option(label) for label in self.labels)
        self.swaps += 1

    def on_option_list_option_highlighted(self) -> None:
        self.query_one("#timeline", Static).update(next(self.timelines))
        self.shown += 1


class BareApp(App[None]):
    """Two modes: the table and the list."""

    def __init__(self, pages: list[list[tuple]], labels: list[Group], timelines: list[Group]) -> None:
        super().__init__()
        self.pages, self.labels, self.timelines = pages, labels, timelines

    def on_mount(self) -> None:
        self.add_mode("table", lambda: TableScreen(self.pages))
        self.add_mode("list", lambda: ListScreen(self.labels, self.timelines))
        self.switch_mode("table")


def widget_data(store: Store) -> tuple[list[list[tuple]], list[Group], list[Group]]:
    """Three Pipeline pages as table rows, 100 conversation labels, ten timelines: read once."""
    db, now = store.reader(), store.clock.now()
    pages, fetch = [], {}
    for _ in range(3):
        rows = pipeline_view.page(db, View(1), now, limit=100, **fetch)
        pages.append([table_row(row, False) for row in rows])
        fetch = {"after": pipeline_view.bound_of(rows[-1])}
    listed = conversations.page(db, InboxFilter(), now=store.now_iso(), limit=100)
    labels = [conversation_label(row, False, now=store.clock.now(), width=31) for row in listed]
    timelines = [Group(*render_entries(timeline.entries(db, row.influencer_id))) for row in listed[:10]]
    return pages, labels, timelines


async def measure(store: Store, samples: int) -> dict[str, list[float]]:
    """The bare counterpart of each row of `feel_app`."""
    app = BareApp(*widget_data(store))
    found: dict[str, list[float]] = {}
    async with app.run_test(size=SIZE) as pilot:
        timer = FrameTimer(app)
        await pilot.pause()
        table = app.screen
        assert isinstance(table, TableScreen)

        def swapped(screen: Any, attribute: str = "swaps"):
            before = getattr(screen, attribute)
            return lambda: getattr(screen, attribute) > before

        found["table swap (n)"] = [await timer.keys(pilot, ("n",), swapped(table)) for _ in range(samples)]
        times = []
        for _ in range(samples):
            table.query_one("#search", Input).focus()
            await pilot.press("ctrl+a", "ctrl+k", *"country:FR")
            times.append(await timer.keys(pilot, ("enter",), swapped(table)))
        found["Input + table swap"] = times
        opens = []
        for n in range(samples):
            if n:
                await pilot.press("1")
                await pilot.pause()
                await app.remove_mode("list")
                app.add_mode("list", lambda: ListScreen(app.labels, app.timelines))
            opens.append(await timer.keys(pilot, ("2",), lambda: isinstance(app.screen, ListScreen)
                                          and app.screen.query_one(OptionList).option_count > 0))
        found["mode switch to a list"] = opens
        listing = app.screen
        assert isinstance(listing, ListScreen)
        await pilot.pause()
        found["OptionList down → Static"] = [
            await timer.keys(pilot, ("down",), swapped(listing, "shown")) for _ in range(samples)]
        times = []
        for _ in range(samples):
            listing.query_one("#search", Input).focus()
            await pilot.press("ctrl+a", "ctrl+k", *"casting")
            times.append(await timer.keys(pilot, ("enter",), swapped(listing)))
        found["Input + OptionList swap"] = times
    return found
