"""What each mode's tab bar (`tui.widgets.mode_bar`) says is in force, from the screen's state."""

from __future__ import annotations

from store.conversations import InboxFilter
from tui.widgets.mode_bar import where_line

MODERATION_WHERE = "every campaign"


def inbox_where(flt: InboxFilter, campaign: str | None) -> str:
    """`Glow Serum Launch · unread · bookmarked · search: fee`; `all conversations` with no filter.
    `campaign` is the filter's campaign by name (None when it is not known by name)."""
    if flt == InboxFilter():
        return "all conversations"
    named = campaign if campaign is not None else ("a campaign" if flt.campaign_id is not None else "")
    words = " ".join(part for part in (flt.text, flt.query) if part)
    return where_line(named, "unread" if flt.unread_only else "", "bookmarked" if flt.bookmarked else "",
                      f"search: {words}" if words else "")


def outbox_where(listing: str) -> str:
    """`waiting mail`, `sent mail`: which of `f`'s listings is shown."""
    return f"{listing} mail"
