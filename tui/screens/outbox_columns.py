"""The Outbox's columns at a given width: every value whole or ending in `…`, nothing off screen.

Numbers (the id, the tries), the status and the time are never cut: they take what they need.
The address and the server's last reply share the rest, the address first (an identifier);
the campaign comes last and is left out before either is cut hard (the opened message names it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

PAD = 2  # a DataTable cell's padding, one cell each side
SCROLLBAR = 2  # the vertical scrollbar, there as soon as the rows outgrow the screen
TIME_WIDTH = 16  # YYYY-MM-DD HH:MM
LONGEST_TIME_TITLE = 22  # "when (America/New_York)"; a longer zone name ends in `…`
REPLY_FLOOR = 12  # "250 2.0.0 O…", "550 5.1.1 U…": the code and the start of the words
# Row positions, as OutboxScreen.fetch builds them.
ID, STATUS, TO, WHEN, TRIES, REPLY, CAMPAIGN = range(7)


@dataclass(frozen=True)
class Column:
    """One shown column: where its values are in a row, its title and its width in cells."""

    index: int
    title: str
    width: int


def outbox_columns(screen_width: int, when_title: str, rows: Sequence[Sequence[Any]]) -> tuple[Column, ...]:
    """The columns shown at `screen_width` for these rows (all seven when they fit)."""
    longest = [max((len(str(row[index])) for row in rows), default=0) for index in range(7)]
    fixed = {ID: max(2, longest[ID]), STATUS: max(6, longest[STATUS]),
             WHEN: max(TIME_WIDTH, longest[WHEN], min(len(when_title), LONGEST_TIME_TITLE)),
             TRIES: max(5, longest[TRIES])}
    wants = {TO: min(max(2, longest[TO]), 40), REPLY: min(max(10, longest[REPLY]), 60),
             CAMPAIGN: min(max(8, longest[CAMPAIGN]), 24)}
    room = screen_width - SCROLLBAR - sum(fixed.values()) - PAD * (len(fixed) + 2)
    # The campaign only once an address of a usual length is whole and the reply has a fair share.
    with_campaign = {TO: min(wants[TO], 32), REPLY: min(wants[REPLY], 24), CAMPAIGN: min(wants[CAMPAIGN], 12)}
    if room - PAD >= sum(with_campaign.values()):
        flexible = _share(room - PAD, with_campaign, wants)
    else:
        # Without the campaign (80 columns): the reply keeps its floor, the address gets the rest.
        reply = min(REPLY_FLOOR, wants[REPLY])
        flexible = _share(room, {TO: max(4, min(wants[TO], room - reply)), REPLY: reply}, wants)
    widths = fixed | flexible
    titles = ("id", "status", "to", when_title, "tries", "last reply", "campaign")
    return tuple(Column(index, titles[index], widths[index]) for index in range(7) if index in widths)


def _share(room: int, floors: dict[int, int], wants: dict[int, int]) -> dict[int, int]:
    """Each column its floor, then what is left of `room` to the columns in order, up to what each wants."""
    widths = dict(floors)
    spare = room - sum(floors.values())
    for index in floors:
        extra = max(0, min(wants[index] - widths[index], spare))
        widths[index] += extra
        spare -= extra
    return widths
