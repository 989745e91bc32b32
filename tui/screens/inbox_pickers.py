"""What the Inbox's pickers offer: campaigns, stray mail, the bounce inspector (read off the UI thread)."""

from __future__ import annotations

from datetime import UTC, tzinfo
from typing import Any

from store.db import Store
from tui.screens import inbox_data as data
from tui.times import shown_time
from tui.visible import visible

# The value an unverified report stands for in the bounce inspector (nothing to clear).
UNVERIFIED = ("unverified",)

# (label, value, detail) of one row of a PickModal.
Item = tuple[str, Any, str]

EMPTY = {"unmatched": "No unmatched mail.",
         "bounces": "Nobody is marked bounced and no report is waiting."}


def _bounce_item(row: dict) -> Item:
    """One inspector row: a bounced influencer, or an unverified report."""
    detail = f"{row['bounce_reason'] or ''}\n\n{row['report']}"
    if row["state"] == "unverified":
        named = row["handle"] or "nobody we know"
        return (visible(f"unverified  {row['email'] or '?'}  ({named})"), UNVERIFIED,
                "Unverified: it refers to no mail we sent, so nobody was suppressed.\n"
                + visible(detail, lines=True))
    return (visible(f"{row['handle']}  {row['email'] or ''}"), row["handle"], visible(detail, lines=True))


def items(store: Store, which: str, zone: tzinfo = UTC) -> list[Item]:
    """The rows of picker `which`: "filter" and "invite" (campaigns), "unmatched" or "bounces"
    (times in `zone`)."""
    if which in ("filter", "invite"):
        return [(name, campaign_id, "") for name, campaign_id in data.campaign_choices(store)]
    if which == "unmatched":
        return [(f"{shown_time(m['created_at'], zone)}  {m['from_addr'] or '?'}  {m['subject'][:40]}",
                 m["id"], f"{m['from_name']} <{m['from_addr']}>\n{m['subject']}")
                for m in data.unmatched(store)]
    return [_bounce_item(row) for row in data.bounce_rows(store)]
