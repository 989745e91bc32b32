"""The Inbox mode: conversations, unread first, then the most recent."""

from __future__ import annotations

from typing import Any

from store.db import Store
from store.overview import conversation_summaries
from tui.screens.table_screen import TableScreen


class InboxScreen(TableScreen):
    COLUMNS = ("handle", "name", "unread", "last message", "subject")
    EMPTY = "No conversations yet."

    def fetch(self, store: Store) -> tuple[list[tuple[Any, ...]], str]:
        rows = conversation_summaries(store.reader())
        table = [(r["handle"], r["name"], r["unread"] or "", r["last_at"][:16].replace("T", " "),
                  r["last_subject"]) for r in rows]
        unread = sum(1 for r in rows if r["unread"])
        return table, f"{len(rows)} conversations · {unread} with unread mail"
