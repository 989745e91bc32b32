"""The Outbox as it is drawn at 80×24 and 120×40: every column within the screen, every title and
value whole or ending in `…`, sent mail newest sent first, and times in the operator's zone, named
once in the column title and in the opened message."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Static

from tests.dispatch_helpers import add_campaign, queue
from tests.pilot_helpers import until
from tui.app import make_app
from tui.screens.message_view import MessageScreen
from tui.screens.outbox import OutboxScreen

SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
REPLY = "250 2.0.0 Ok: queued as 4F2K9X1Z on mx.mail-provider.example"
FAILED = "550 5.1.1 <someone.with.a.long.name@mail-provider.example>: Recipient address rejected"
# Sent out of id order (a retry goes out days after mail written later): times in UTC.
SENT_AT = ("2026-11-18T08:15:00+00:00", "2026-11-20T09:00:00+00:00", "2026-11-19T23:30:00+00:00")


@pytest.fixture
def outbox(store) -> dict[str, list[int]]:
    campaign = add_campaign(store, name="Trail Running Summer Collection")
    sent = queue(store, 3, campaign_id=campaign, prefix="sofia.kowalski.long.handle", domain="mail.example")
    failed = queue(store, 1, campaign_id=campaign, prefix="someone.with.a.long.name",
                   domain="mail-provider.example")
    waiting = queue(store, 2, campaign_id=campaign, prefix="ana")
    with store.write() as db:
        for message, at in zip(sent, SENT_AT, strict=True):
            db.conn.execute("UPDATE messages SET status = 'sent', sent_at = ?, attempts = 1, "
                            "last_smtp_response = ? WHERE id = ?", [at, REPLY, message])
        db.conn.execute("UPDATE messages SET status = 'failed', attempts = 3, last_smtp_response = ? "
                        "WHERE id = ?", [FAILED, failed[0]])
    return {"sent": sent, "failed": failed, "waiting": waiting}


def drawn(table: DataTable) -> list[str]:
    """The table's lines as the terminal shows them (the title line first)."""
    return [table.render_line(y).text for y in range(table.size.height)]


def assert_whole_or_marked(screen: OutboxScreen, table: DataTable) -> None:
    """Nothing scrolls off to the side, and each cell is its value whole or a start of it and `…`."""
    assert table.virtual_size.width <= table.scrollable_content_region.width, "no column off screen"
    assert table.max_scroll_x == 0
    for index, row in enumerate(screen.rows):
        values = (row[i] for i, _title, _width in screen.shown_columns)
        for value, shown in zip(values, table.get_row_at(index), strict=True):
            text, whole = str(shown), str(value)
            assert text == whole or (text.endswith("…") and whole.startswith(text[:-1])), (text, whole)
    for (_index, title, _width), column in zip(screen.shown_columns, table.columns.values(), strict=True):
        assert str(column.label) == title, "every title whole"


async def _outbox(pilot, app, rows: int) -> tuple[OutboxScreen, DataTable]:
    await pilot.press("4")
    await until(pilot, lambda: isinstance(app.screen, OutboxScreen)
                and app.screen.query_one(DataTable).row_count == rows)
    screen = app.screen
    assert isinstance(screen, OutboxScreen)
    return screen, screen.query_one(DataTable)


@SIZES
async def test_the_waiting_mail_fits_with_the_servers_reply_marked_when_cut(store, outbox, size) -> None:
    app = make_app(store, local_zone="Europe/Paris")
    async with app.run_test(size=size) as pilot:
        screen, table = await _outbox(pilot, app, 3)
        assert_whole_or_marked(screen, table)
        lines = drawn(table)
        titles = lines[0].split()
        assert titles[:6] == ["id", "status", "to", "when", "(CET)", "tries"]
        assert "last reply" in lines[0]
        assert ("campaign" in lines[0]) == (size[0] >= 120), "the campaign gives way first"
        failed = next(line for line in lines if " failed " in line)
        assert "550 5.1.1" in failed and "someone.with.a.long" in failed and "…" in failed, failed


@SIZES
async def test_sent_mail_is_newest_sent_first_in_the_operators_zone(store, outbox, size) -> None:
    app = make_app(store, local_zone="Europe/Paris")
    async with app.run_test(size=size) as pilot:
        screen, table = await _outbox(pilot, app, 3)
        await pilot.press("f", "f")
        summary = screen.query_one(".summary", Static)
        await until(pilot, lambda: str(summary.render()).startswith("sent: 3 sent"))
        assert_whole_or_marked(screen, table)
        sent = outbox["sent"]
        assert [row[0] for row in screen.rows] == [sent[1], sent[2], sent[0]], "by sending time, not by id"
        # Paris is UTC+1 in November: 23:30 UTC on the 19th is 00:30 on the 20th there.
        assert [row[3] for row in screen.rows] == ["2026-11-20 10:00", "2026-11-20 00:30", "2026-11-18 09:15"]
        lines = drawn(table)
        assert "when (CET)" in lines[0]
        assert "2026-11-20 10:00" in lines[1] and "2026-11-18 09:15" in lines[3]
        for line in lines[1:4]:
            assert "250 2.0.0" in line and ("…" in line or REPLY in line), line
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, MessageScreen))
        note = str(app.screen.query_one("#message-note", Static).render())
        assert note.splitlines() == [f"Message #{sent[1]}, as it was sent (built again from what is stored).",
                                     "Sent 2026-11-20 10:00 CET · Campaign Trail Running "
                                     "Summer Collection."]


async def test_without_a_local_zone_the_times_are_utc_and_say_so(store, outbox) -> None:
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        screen, table = await _outbox(pilot, app, 3)
        await pilot.press("f", "f")
        await until(pilot, lambda: len(screen.rows) == 3 and screen.rows[0][1] == "sent")
        assert "when (UTC)" in drawn(table)[0]
        assert [row[3] for row in screen.rows] == ["2026-11-20 09:00", "2026-11-19 23:30", "2026-11-18 08:15"]


async def test_a_cut_address_is_asked_about_whole(store, outbox) -> None:
    """The confirm question names the recipient as stored, not as cut to fit the column."""
    from tui.widgets.confirm import ConfirmScreen

    app = make_app(store, local_zone="Europe/Paris")
    async with app.run_test(size=(80, 24)) as pilot:
        screen, table = await _outbox(pilot, app, 3)
        assert str(table.get_row_at(0)[2]).endswith("…"), "the failed mail's long address is cut on screen"
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        question = str(app.screen.query_one(".question", Static).render())
        assert "to someone.with.a.long.name0@mail-provider.example?" in question
