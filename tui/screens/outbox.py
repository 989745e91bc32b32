"""The Outbox mode: mail that waits or failed, with the SMTP server's words, and the mail already sent.

`f` changes which mail is listed, `enter` opens one message with its headers, `R` retries and
`x` cancels (after asking).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from textual import work
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable

from mailer.actions import outbox as actions
from mailer.actions.outcome import Outcome
from mailer.message_source import MessageSource, message_source
from store.db import Store
from store.errors import UserError
from store.outbox.admin import VIEW_STATUSES, outbox_counts, outbox_rows, unreviewed_count
from tui.action_worker import ActionFinished, app_store, run_action
from tui.screens.message_view import MessageScreen
from tui.screens.mode_where import outbox_where
from tui.screens.outbox_columns import outbox_columns
from tui.screens.table_screen import ColumnLayout, TableScreen
from tui.times import operator_zone, shown_time, zone_abbreviation
from tui.widgets.confirm import ConfirmScreen

PAGE = 500


@dataclass(frozen=True)
class Listing:
    """One choice of `f`: a name, the statuses it lists and whether the newest come first."""

    name: str
    statuses: tuple[str, ...]
    newest_first: bool = False


LISTINGS = (
    Listing("waiting", ("failed", "deferred", "queued", "sending")),
    Listing("planned", ("planned",)),
    Listing("sent", ("sent",), newest_first=True),
    Listing("skipped", ("skipped",), newest_first=True),
    Listing("all", VIEW_STATUSES, newest_first=True),
)


class MessageLoaded(Message):
    def __init__(self, source: MessageSource) -> None:
        super().__init__()
        self.source = source


class OutboxScreen(TableScreen):
    MODE = "outbox"  # the mode its header names
    # The server's last reply is why one looks here: it comes before the campaign (outbox_columns).
    EMPTY = "Nothing waits in the outbox and nothing failed."
    BINDINGS = [
        Binding("enter", "open", "Open", tooltip="Show the selected message with its headers"),
        Binding("f", "next_listing", "Sent/…",
                tooltip="List the waiting, planned, sent, skipped or all mail"),
        Binding("R", "retry", "Retry", tooltip="Send the selected failed or deferred message again now"),
        Binding("x", "cancel", "Cancel", tooltip="Make sure the selected message is never sent (asks first)"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.listing = LISTINGS[0]

    def column_layout(self, screen_width: int, rows: Sequence[tuple[Any, ...]]) -> ColumnLayout:
        # The zone as a person reads it beside a time (CET, CEST, UTC), as it is now.
        when_title = f"when ({zone_abbreviation(operator_zone(self.app), app_store(self).clock.now())})"
        return tuple((column.index, column.title, column.width)
                     for column in outbox_columns(screen_width, when_title, rows))

    def fetch(self, store: Store) -> tuple[list[tuple[Any, ...]], str]:
        reader, listing, zone = store.reader(), self.listing, operator_zone(self.app)
        counts = outbox_counts(reader, listing.statuses)
        rows = outbox_rows(reader, listing.statuses, PAGE, 0, newest_first=listing.newest_first,
                           now=store.now_iso())
        # `when`: the time each row is listed by (sent, due, else last written), in the zone its title names.
        table = [(r.id, r.shown_status, r.to_addr or "", shown_time(r.listed_at, zone), r.attempts,
                  r.last_smtp_response or "", r.campaign or "") for r in rows]
        # Only the statuses there is mail in (the line fits 80 columns), those marked `to review` said beside.
        parts = [f"{counts[name]:,} {name}{self._to_review(store, name)}" for name in listing.statuses
                 if counts[name]]
        summary = f"{listing.name}: {' · '.join(parts) or 'none'}"
        if sum(counts.values()) > len(rows):
            summary += f" · showing the {'newest' if listing.newest_first else 'first'} {len(rows):,}"
        return table, summary + " · f: other mail"

    @staticmethod
    def _to_review(store: Store, status: str) -> str:
        if status not in ("planned", "queued"):
            return ""
        review = unreviewed_count(store.reader(), (status,), store.now_iso())
        return f" ({review:,} to review)" if review else ""

    def where(self) -> str:
        return outbox_where(self.listing.name)

    def empty_text(self) -> str:
        if self.listing is LISTINGS[0]:
            return self.EMPTY + " f lists the mail already sent."
        return f"No {self.listing.name} mail. f lists other mail."

    def selected(self) -> tuple[int, str, str] | None:
        """The selected row's id, status and recipient (whole, not as cut on screen), or None."""
        table = self.query_one(DataTable)
        if table.row_count == 0 or not 0 <= table.cursor_row < len(self.rows):
            return None
        row = self.rows[table.cursor_row]
        return int(row[0]), str(row[1]), str(row[2])

    def selected_id(self) -> int | None:
        chosen = self.selected()
        return chosen[0] if chosen else None

    def action_next_listing(self) -> None:
        self.listing = LISTINGS[(LISTINGS.index(self.listing) + 1) % len(LISTINGS)]
        self.query_one(DataTable).move_cursor(row=0)  # other mail: from its top (a reload keeps the line)
        self.action_reload()

    def action_open(self) -> None:
        message_id = self.selected_id()
        if message_id is None:
            self.notify("Select a message first.", severity="warning")
            return
        self.load_message(app_store(self), message_id)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    @work(thread=True, exclusive=True, group="message")
    def load_message(self, store: Store, message_id: int) -> None:
        try:
            source = message_source(store, message_id)
        except UserError as error:
            self.app.call_from_thread(self.notify, error.sentence, severity="error")
            return
        self.post_message(MessageLoaded(source))

    def on_message_loaded(self, message: MessageLoaded) -> None:
        self.app.push_screen(MessageScreen(message.source))

    def action_retry(self) -> None:
        self._change(actions.retry)

    def action_cancel(self) -> None:
        chosen = self.selected()
        if chosen is None:
            self.notify("Select a message first.", severity="warning")
            return
        message_id, status, to = chosen

        def answered(confirmed: bool | None) -> None:
            if confirmed:
                self._change(actions.cancel)

        question = f"Cancel message #{message_id} ({status}) to {to}?\n\nIt will never be sent."
        self.app.push_screen(ConfirmScreen(question, "Cancel it"), answered)

    def _change(self, action: Callable[[Store, int], Outcome]) -> None:
        message_id = self.selected_id()
        if message_id is None:
            self.notify("Select a message first.", severity="warning")
            return
        run_action(self, "outbox-change", action, message_id, exclusive=True)

    def on_action_finished(self, message: ActionFinished) -> None:
        self.notify(message.sentence, severity=message.severity, timeout=message.timeout())
        if message.outcome is not None:
            self.action_reload()
