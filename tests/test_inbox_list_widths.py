"""The Inbox list's head line: the date keeps its place whole; `bounced` gives way, then the handle
is cut with `…`, never silently (at 120×40 a bounced row's date read `11…`)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from store.conversations import ConversationRow
from tests.app_helpers import demo_app
from tests.pilot_helpers import until
from tui.widgets.conversation_list import ConversationList, conversation_label

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def _row(handle: str, *, bounced: bool = False, unread: int = 2) -> ConversationRow:
    return ConversationRow(influencer_id=1, handle=handle, name="", email=None, bookmarked=True,
                           bounced=bounced, unread=unread, total=3, has_unread=1,
                           last_at="2026-11-11T09:00:00+00:00", last_message_id=1, last_subject="Hi",
                           last_direction="in", last_kind="reply", last_status=None)


def _head(row: ConversationRow, width: int) -> str:
    return conversation_label(row, True, UTC, NOW, width).renderables[0].plain


@pytest.mark.parametrize(("handle", "bounced", "shown"), [
    ("zoe.moreau76", False, "+★zoe.moreau76 ●2         11-11"),
    ("zoe.moreau76", True, "+★zoe.moreau76 ●2 bounced 11-11"),  # room for the word
    ("marco.bianchi237", True, "+★marco.bianchi237 ●2 !   11-11"),  # the word gives way first
    ("a.very.long.handle.indeed", True, "+★a.very.long.handl… ●2 ! 11-11"),  # then the handle, marked
])
def test_the_date_stays_whole_and_what_gives_way_is_marked(handle: str, bounced: bool, shown: str) -> None:
    assert _head(_row(handle, bounced=bounced), 31) == shown
    assert len(shown) == 31


async def test_every_row_of_the_demo_shows_its_whole_date_at_both_sizes(tmp_path: Path) -> None:
    app = demo_app(tmp_path / "demo.db")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("2")
        listing = app.screen.query_one(ConversationList)
        await until(pilot, lambda: len(listing.rows) > 0)
        for size in ((120, 40), (80, 24)):
            await pilot.resize_terminal(*size)
            await pilot.pause()
            heads = [listing.render_line(line).text for line in range(0, listing.size.height, 2)]
            shown = [head for head in heads if head.strip()]
            assert shown and any(row.bounced for row in listing.rows)
            for head in shown:
                assert re.search(r" (\d\d:\d\d|\d\d-\d\d|\d{4}-\d\d-\d\d) *$", head), (size, head)
                handle = head[2:].split(" ")[0]
                assert handle.endswith("…") or any(row.handle == handle for row in listing.rows), head
