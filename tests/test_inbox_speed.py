"""The Inbox's speed work kept honest: a single move opens at once, a burst loads once where it
rests, labels are made only for the rows drawn, and the counts follow every write."""

from __future__ import annotations

import pytest

from store.db import Store
from tests.inbox_helpers import add_influencer, send
from tests.pilot_helpers import settled
from tests.pilot_helpers import until as wait_for
from tui.app import make_app
from tui.screens import inbox as inbox_screen
from tui.screens.inbox import InboxScreen
from tui.screens.inbox_messages import ConversationOpened
from tui.widgets.conversation_list import ConversationList, ConversationOption

PEOPLE = 60


@pytest.fixture
def crowded(store: Store) -> Store:
    for n in range(PEOPLE):
        send(store, add_influencer(store, f"p{n:03d}"), subject=f"Casting {n}")
    return store


async def test_one_move_opens_at_once_and_a_burst_loads_where_it_rests(
        crowded: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inbox_screen, "OPEN_DELAY", 600.0)  # a burst never ends by itself here
    opened: list[int] = []
    seen: list[ConversationOpened] = []

    def hook(message: object) -> None:  # a message is seen once per node it bubbles through
        if isinstance(message, ConversationOpened) and not any(m is message for m in seen):
            seen.append(message)
            opened.append(message.influencer_id)

    app = make_app(crowded)
    async with app.run_test(size=(120, 36), message_hook=hook) as pilot:
        await pilot.press("2")
        screen = app.screen
        assert isinstance(screen, InboxScreen)
        listing = screen.conversations
        await wait_for(pilot, lambda: screen._shown_id is not None
                       and screen._shown_id == listing.current_id())
        await settled(app)
        first = len(opened)
        await pilot.press("j")  # one press: loaded without waiting for any timer
        await wait_for(pilot, lambda: screen._shown_id == listing.current_id()
                       == listing.rows[1].influencer_id)
        assert opened[first:] == [listing.rows[1].influencer_id]
        await pilot.press("j", "j", "j")  # within the burst: nothing loads while the key is held
        await settled(app)
        assert opened[first:] == [listing.rows[1].influencer_id]
        assert screen._shown_id == listing.rows[1].influencer_id
        assert screen._open_timer is not None
        screen._open_timer.stop()
        screen._burst_over()  # the burst ends: one load, where the cursor rests
        await wait_for(pilot, lambda: screen._shown_id == listing.rows[4].influencer_id)
        await settled(app)
        assert opened[first:] == [listing.rows[1].influencer_id, listing.rows[4].influencer_id]


async def test_labels_are_made_for_the_rows_drawn_only(crowded: Store) -> None:
    app = make_app(crowded)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("2")
        listing = app.screen.query_one(ConversationList)
        await wait_for(pilot, lambda: len(listing.rows) == PEOPLE)
        await pilot.pause()
        options = [option for option in listing.options if isinstance(option, ConversationOption)]
        assert len(options) == PEOPLE
        labelled = [option.row.handle for option in options if option.labelled]
        visible_rows = listing.scrollable_content_region.height // 2
        assert 0 < len(labelled) <= visible_rows + 1 < PEOPLE
        assert labelled == [row.handle for row in listing.rows[:len(labelled)]]
        assert listing.virtual_size.height == 2 * PEOPLE
        await pilot.press("G")  # the last row: drawn (so labelled) now, the middle still not
        await wait_for(pilot, lambda: options[-1].labelled)
        assert not options[PEOPLE // 2].labelled


def _counted(store: Store, campaign_id: int) -> tuple[int, int]:
    row = store.writer.execute("SELECT count(*), coalesce(sum(unread > 0), 0) FROM conversations "
                               "WHERE campaign_id = ?", (campaign_id,)).fetchone()
    return int(row[0]), int(row[1])


def test_counts_follow_every_write_without_counting(store: Store) -> None:
    from store import conversations, schema
    from tests.inbox_helpers import add_campaign

    campaign = add_campaign(store)
    ana, bo, cy = (add_influencer(store, handle) for handle in ("ana", "bo", "cy"))
    steps = []

    def check() -> None:
        db = store.reader()
        got = (conversations.counts(db), conversations.counts(db, campaign))
        assert got == (_counted(store, 0), _counted(store, campaign))
        steps.append(got)

    check()
    send(store, ana, campaign_id=campaign)
    send(store, bo)
    check()
    with store.write() as db:  # two replies arrive unread, then one is read
        for who in (ana, cy):
            db.conn.execute("""INSERT INTO messages (influencer_id, campaign_id, direction, kind, subject,
                                   body, from_addr, to_addr, created_at, updated_at, is_read)
                               VALUES (?, ?, 'in', 'reply', 'Re', 'hi', 'x@mail.example', 'us@mail.example',
                                       ?, ?, 0)""", (who, campaign, store.now_iso(), store.now_iso()))
    check()
    with store.write() as db:
        db.conn.execute("UPDATE messages SET is_read = 1 WHERE influencer_id = ?", (ana,))
    check()
    with store.write() as db:
        db.conn.execute("UPDATE messages SET campaign_id = NULL WHERE influencer_id = ?", (cy,))
    check()
    with store.write() as db:
        db.conn.execute("DELETE FROM messages WHERE influencer_id = ?", (bo,))
        db.conn.execute("DELETE FROM conversations WHERE influencer_id = ?", (cy,))  # as a cascade would
    check()
    with store.write() as db:
        schema.rebuild_inbox(db)
    check()
    assert steps == [((0, 0), (0, 0)), ((2, 0), (1, 0)), ((3, 2), (2, 2)), ((3, 1), (2, 1)),
                     ((3, 1), (1, 0)), ((1, 0), (1, 0)),
                     ((2, 1), (1, 0))]  # the rebuild finds cy's mail again
