"""The Outbox mode: mail that waits or failed, with the SMTP server's words; `R` retries, `x` cancels."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.binding import Binding
from textual.widgets import DataTable

from mailer.actions import outbox as actions
from mailer.actions.outcome import Outcome
from store.db import Store
from store.outbox.admin import outbox_counts, outbox_rows
from tui.action_worker import ActionFinished, run_action
from tui.screens.table_screen import TableScreen

PAGE = 500
SHOWN = ("failed", "deferred", "queued", "sending")


class OutboxScreen(TableScreen):
    COLUMNS = ("id", "status", "to", "campaign", "attempts", "next attempt", "last reply")
    EMPTY = "Nothing waits in the outbox and nothing failed."
    BINDINGS = [
        Binding("R", "retry", "Retry", tooltip="Send the selected failed or deferred message again now"),
        Binding("x", "cancel", "Cancel", tooltip="Make sure the selected message is never sent"),
    ]

    def fetch(self, store: Store) -> tuple[list[tuple[Any, ...]], str]:
        reader = store.reader()
        counts = outbox_counts(reader)
        rows = outbox_rows(reader, SHOWN, PAGE, 0)
        table = [(r.id, r.status, r.to_addr, r.campaign or "", r.attempts,
                  (r.next_attempt_at or "")[:16].replace("T", " ") if r.status != "failed" else "",
                  r.last_smtp_response or "") for r in rows]
        summary = " · ".join(f"{counts[name]:,} {name}" for name in SHOWN)
        waiting = sum(counts[name] for name in SHOWN)
        if waiting > len(rows):
            summary += f" · showing the first {len(rows):,}"
        return table, summary

    def selected_id(self) -> int | None:
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return None
        return int(table.get_row_at(table.cursor_row)[0])

    def action_retry(self) -> None:
        self._change(actions.retry)

    def action_cancel(self) -> None:
        self._change(actions.cancel)

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
