"""The Moderation mode: tomorrow's invitations, as planned."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from store.clock import iso
from store.db import Store
from store.overview import invitations_between
from tui.screens.table_screen import TableScreen


class ModerationScreen(TableScreen):
    COLUMNS = ("campaign", "handle", "lang", "length", "status", "flags", "at (UTC)")
    EMPTY = "No invitations planned for tomorrow."

    def fetch(self, store: Store) -> tuple[list[tuple[Any, ...]], str]:
        start = store.clock.now().replace(hour=0, minute=0, second=0, microsecond=0)
        start += timedelta(days=1)
        rows = invitations_between(store.reader(), iso(start), iso(start + timedelta(days=1)))
        table = [(r["campaign"], r["handle"], r["language"], f"{r['length']}/{r['invite_limit']}",
                  r["status"], ", ".join(json.loads(r["flags"])), r["scheduled_at"][11:16])
                 for r in rows]
        flagged = sum(1 for r in rows if json.loads(r["flags"]))
        return table, f"{len(rows)} invitations for {start:%a %d %b} · {flagged} flagged"
