"""The role table in the app: a viewer's keys change nothing and say why in one notification."""

from __future__ import annotations

from store.db import Store
from tests.pilot_helpers import settled
from tests.pilot_helpers import until as wait_for
from tests.test_inbox_pane import open_inbox, seeded  # noqa: F401  (a fixture)
from tui.app import make_app
from tui.widgets.timeline_view import TimelineView

REFUSED = "visitor is a viewer and may not mark or bookmark conversations."


def _state(store: Store) -> tuple:
    db = store.writer
    return (db.execute("SELECT handle, bookmarked FROM influencers ORDER BY id").fetchall(),
            db.execute("SELECT id, is_read FROM messages ORDER BY id").fetchall(),
            db.execute("SELECT count(*) FROM audit_events WHERE action != 'refused'").fetchone()[0])


def _refusals(store: Store) -> list[tuple[str, str]]:
    """Who was refused what: every refusal is on the audit trail, and is all a refusal writes."""
    return store.writer.execute("SELECT actor, json_extract(detail, '$.permission') FROM audit_events "
                                "WHERE action = 'refused' ORDER BY id").fetchall()


async def test_a_viewers_bookmark_and_unread_keys_change_nothing(seeded: Store) -> None:  # noqa: F811
    viewer = Store(seeded.path, seeded.clock, actor="visitor")
    before = _state(seeded)
    app = make_app(viewer)
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            await open_inbox(app, pilot)
            await pilot.press("b")
            await wait_for(pilot, lambda: len(app._notifications) == 1)
            await pilot.press("N")
            await wait_for(pilot, lambda: len(app._notifications) == 2)
            await pilot.press("enter")  # opening reads the conversation without marking it read
            view = app.screen.query_one(TimelineView)
            await wait_for(pilot, lambda: "What is the fee?" in view.plain_text)
            await settled(app)
            assert [n.message for n in app._notifications] == [REFUSED, REFUSED]
        assert _state(seeded) == before
        assert _refusals(seeded) == [("visitor", "triage_inbox")] * 2
    finally:
        viewer.close()
