"""Every sender settles outreach first: `dispatch` alone releases welcomes and never blasts after a jump."""

from __future__ import annotations

import json

from mailer.dispatch.dispatcher import Dispatcher
from store.db import Store
from tests.dispatch_helpers import make_config, start_sink, stop_sink
from tests.outreach_helpers import accept, rows
from tests.test_sequence import invited, paris


async def _dispatch(store: Store) -> list[str]:
    """Run the real dispatcher against a real sink; returns the recipients it accepted."""
    sink = await start_sink()
    try:
        await Dispatcher(store, make_config(sink.port)).run_until_empty()
    finally:
        await stop_sink(sink)
    return [rcpt for received in sink.received for rcpt in received.rcpt_tos]


async def test_dispatch_alone_sends_the_welcome_on_its_day(store: Store) -> None:
    campaign, ids = invited(store)  # Paris, daily 09:00-18:00, invitations sent on 2026-03-27
    store.clock.pinned = paris(2026, 3, 27, 19)
    accept(store, campaign, ids[0], store.clock.now())
    assert await _dispatch(store) == []  # scheduled for tomorrow, nothing due yet
    store.clock.pinned = paris(2026, 3, 28, 9, 1)
    email = rows(store, "SELECT email FROM influencers WHERE id = ?", (ids[0],))[0]["email"]
    assert await _dispatch(store) == [email]
    welcome = rows(store, "SELECT status FROM messages WHERE kind = 'welcome'")
    assert [w["status"] for w in welcome] == ["sent"]


async def test_dispatch_after_a_jump_past_the_window_retimes_instead(store: Store) -> None:
    campaign, ids = invited(store)
    with store.write() as db:  # one invitation still queued for late in the day
        db.conn.execute("UPDATE messages SET status = 'queued', next_attempt_at = ?, scheduled_at = ? "
                        "WHERE influencer_id = ? AND kind = 'invitation'",
                        (paris(2026, 3, 27, 17, 50).isoformat(), paris(2026, 3, 27, 17, 50).isoformat(),
                         ids[1]))
    store.clock.pinned = paris(2026, 3, 27, 21)  # the laptop slept through the window's end
    assert await _dispatch(store) == []
    moved = rows(store, "SELECT status, flags, scheduled_at FROM messages WHERE influencer_id = ? "
                        "AND kind = 'invitation'", (ids[1],))[0]
    assert moved["status"] == "queued" and "retimed" in json.loads(moved["flags"])
    assert moved["scheduled_at"] >= paris(2026, 3, 28, 9).isoformat()
