"""The Pipeline mode: campaigns and where their candidates stand."""

from __future__ import annotations

from typing import Any

from store.db import Store
from store.overview import campaign_summaries
from tui.screens.table_screen import TableScreen


class PipelineScreen(TableScreen):
    COLUMNS = ("campaign", "status", "zone", "cap/day", "candidates", "to review", "in campaign",
               "rejected", "invited")
    EMPTY = "No campaigns yet: `callsheet campaign create NAME` makes one."

    def fetch(self, store: Store) -> tuple[list[tuple[Any, ...]], str]:
        rows = campaign_summaries(store.reader())
        table = [(r["name"], r["status"], r["timezone"], r["daily_cap"], r["candidates"],
                  r["to_review"] or 0, r["in_campaign"] or 0, r["rejected"] or 0, r["invited"] or 0)
                 for r in rows]
        return table, f"{len(rows)} campaigns · {sum(r['candidates'] for r in rows)} candidates"
