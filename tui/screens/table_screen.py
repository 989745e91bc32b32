"""A mode screen that shows one table of rows loaded off the UI thread."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Static

from store.db import Store
from tui.action_worker import app_store
from tui.display import cell
from tui.widgets.footer import KeyFooter
from tui.widgets.mode_header import ModeHeader


class RowsLoaded(Message):
    """A worker fetched the rows to show."""

    def __init__(self, rows: list[tuple[Any, ...]], summary: str) -> None:
        super().__init__()
        self.rows = rows
        self.summary = summary


class TableScreen(Screen[None]):
    """Header, a one-line summary, a table and the footer; `r` reloads."""

    BINDINGS = [Binding("r", "reload", "Reload")]
    COLUMNS: Sequence[str] = ()
    EMPTY = "Nothing here yet."

    def compose(self) -> ComposeResult:
        yield ModeHeader()
        yield Static("Loading…", classes="summary")
        table: DataTable = DataTable(cursor_type="row", zebra_stripes=True)
        table.add_columns(*self.COLUMNS)
        yield table
        yield KeyFooter()

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

    def on_rows_loaded(self, message: RowsLoaded) -> None:
        table = self.query_one(DataTable)
        table.clear()
        # Text from the database is shown literally; numbers stay numbers (a row's id is read back).
        table.add_rows(tuple(cell(value) if isinstance(value, str) else value for value in row)
                       for row in message.rows)
        self.query_one(".summary", Static).update(message.summary if message.rows else self.empty_text())

    def empty_text(self) -> str:
        """The summary line when there are no rows."""
        return self.EMPTY
