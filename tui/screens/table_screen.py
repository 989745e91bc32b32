"""A mode screen that shows one table of rows loaded off the UI thread."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Static

from store.db import Store
from tui.action_worker import app_store
from tui.display import cell
from tui.widgets.footer import KeyFooter
from tui.widgets.mode_bar import ModeBar
from tui.widgets.mode_header import ModeHeader


class RowsLoaded(Message):
    """A worker fetched the rows to show."""

    def __init__(self, rows: list[tuple[Any, ...]], summary: str) -> None:
        super().__init__()
        self.rows = rows
        self.summary = summary


# A shown column: where its values are in a row, its title, and its width (None: as wide as its values).
ColumnLayout = tuple[tuple[int, str, int | None], ...]


class TableScreen(Screen[None]):
    """Header, a one-line summary, a table and the footer; `r` reloads."""

    BINDINGS = [Binding("r", "reload", "Reload")]
    COLUMNS: Sequence[str] = ()
    EMPTY = "Nothing here yet."

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[tuple[Any, ...]] = []  # as fetched, whole: the table may show them cut
        self.shown_columns: ColumnLayout = ()

    def compose(self) -> ComposeResult:
        yield ModeHeader()
        yield ModeBar(self.where())
        yield Static("Loading…", classes="summary")
        yield DataTable(cursor_type="row", zebra_stripes=True)
        yield KeyFooter()

    def column_layout(self, screen_width: int, rows: Sequence[tuple[Any, ...]]) -> ColumnLayout:
        """The columns shown at `screen_width`; by default all of `COLUMNS`, as wide as their values."""
        return tuple((index, title, None) for index, title in enumerate(self.COLUMNS))

    def on_resize(self, event: events.Resize) -> None:
        if self.column_layout(event.size.width, self.rows) != self.shown_columns:
            self._fill(event.size.width)

    def on_mount(self) -> None:
        self.action_reload()

    def action_reload(self) -> None:
        self.load(app_store(self))

    @work(thread=True, exclusive=True, group="load")
    def load(self, store: Store) -> None:
        rows, summary = self.fetch(store)
        self.post_message(RowsLoaded(rows, summary))

    def fetch(self, store: Store) -> tuple[list[tuple[Any, ...]], str]:
        """Read the rows and a summary line (runs in a worker thread)."""
        raise NotImplementedError

    def where(self) -> str:
        """What the tab bar says is shown, after the tabs ("" by default)."""
        return ""

    def on_rows_loaded(self, message: RowsLoaded) -> None:
        self.rows = message.rows
        self.query_one(ModeBar).show(self.where())
        self._fill(self.size.width)
        self.query_one(".summary", Static).update(message.summary if message.rows else self.empty_text())

    def _fill(self, screen_width: int) -> None:
        """Lay the columns out for the width and the rows, and show the rows, the cursor kept on its line."""
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        layout = self.column_layout(screen_width, self.rows)
        if layout != self.shown_columns:
            self.shown_columns = layout
            table.clear(columns=True)
            for _index, title, width in layout:
                table.add_column(cell(title, width), width=width)
        else:
            table.clear()
        # Text from the database is shown literally, anything too long for its column ending in `…`;
        # numbers stay numbers (a row's id is read back).
        table.add_rows(tuple(cell(row[index], width) if isinstance(row[index], str) else row[index]
                             for index, _title, width in layout) for row in self.rows)
        if self.rows:
            table.move_cursor(row=min(cursor, len(self.rows) - 1))

    def empty_text(self) -> str:
        """The summary line when there are no rows."""
        return self.EMPTY
