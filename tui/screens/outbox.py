"""The Outbox mode: mail that waits or failed, with the SMTP server's words; `R` retries, `x` cancels."""

from __future__ import annotations

from typing import Any

from textual import work
from textual.binding import Binding
from textual.widgets import DataTable

from store.db import Store
from store.outbox_admin import cancel_message, outbox_counts, outbox_rows, retry_message
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
        table = [(r["id"], r["status"], r["to_addr"], r["campaign"] or "", r["attempts"],
                  (r["next_attempt_at"] or "")[:16].replace("T", " ") if r["status"] != "failed" else "",
                  r["last_smtp_response"] or "") for r in rows]
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
        self._change(retry_message, "queued to be sent now")

    def action_cancel(self) -> None:
        self._change(cancel_message, "cancelled")

    def _change(self, change: Any, done: str) -> None:
        message_id = self.selected_id()
        if message_id is None:
            self.notify("Select a message first.", severity="warning")
            return
        self.apply_change(self.app.store, change, message_id, done)  # type: ignore[attr-defined]

    @work(thread=True, exclusive=True, group="outbox-change")
    def apply_change(self, store: Store, change: Any, message_id: int, done: str) -> None:
        with store.write() as db:
            store.require("write_message")
            change(db, message_id, store.now_iso(), actor=store.actor)
        self.app.call_from_thread(self.notify, f"Message #{message_id} {done}.")
        self.app.call_from_thread(self.action_reload)
        wake = getattr(self.app, "wake_dispatcher", None)
        if wake is not None:
            self.app.call_from_thread(wake)
