"""A notification when replies arrive (a sync here, or the daemon's in another process)."""

from __future__ import annotations

from textual.message import Message

SHOWN = 3  # handles named in one notification


class RepliesArrived(Message):
    """The newest message id the app has looked at, and the handles of the replies since the last look."""

    def __init__(self, newest: int, handles: list[str]) -> None:
        super().__init__()
        self.newest, self.handles = newest, handles


def replies_sentence(handles: list[str]) -> str:
    """`New reply from @ana.`, `3 new replies: @ana, @bo, @cy.`, `12 new replies: @ana, … and 4 others.`"""
    if len(handles) == 1:
        return f"New reply from @{handles[0]}."
    people = list(dict.fromkeys(handles))
    named = ", ".join(f"@{handle}" for handle in people[:SHOWN])
    others = len(people) - SHOWN
    if others > 0:
        named += f" and {others} other{'s' if others > 1 else ''}"
    return f"{len(handles)} new replies: {named}."
