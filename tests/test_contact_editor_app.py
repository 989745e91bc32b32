"""The Inbox's contact panel shows the postal address, and `e` edits the contact through `contacts.edit`."""

from __future__ import annotations

from textual.widgets import Input

from store.db import Store
from tests.display_helpers import screen_text
from tests.pilot_helpers import settled
from tests.pilot_helpers import until as wait_for
from tests.test_inbox_pane import open_inbox, seeded  # noqa: F401  (a fixture)
from tui.app import make_app
from tui.screens.contact_editor import ContactEditor
from tui.screens.inbox import InboxScreen
from tui.widgets.contact_panel import render_card


def _give_ana_an_address(store: Store) -> None:
    with store.write() as db:
        db.conn.execute("UPDATE influencers SET address = ? WHERE handle = 'ana'", ["1 rue des Lilas\nParis"])


def _email(store: Store) -> str:
    return store.writer.execute("SELECT email FROM influencers WHERE handle = 'ana'").fetchone()[0]


async def _edit_email(app, pilot, address: str) -> None:  # type: ignore[no-untyped-def]
    await open_inbox(app, pilot)
    screen = app.screen
    assert isinstance(screen, InboxScreen)
    await wait_for(pilot, lambda: screen._card is not None and screen._card.handle == "ana")
    assert "1 rue des Lilas\nParis" in render_card(screen._card).plain
    await pilot.press("e")
    await wait_for(pilot, lambda: isinstance(app.screen, ContactEditor))
    field = app.screen.query_one("#contact-email", Input)
    field.value = address
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: isinstance(app.screen, InboxScreen) and len(app._notifications) >= 1)
    await settled(app)


async def test_a_manager_edits_the_email_in_the_editor(seeded: Store) -> None:  # noqa: F811
    _give_ana_an_address(seeded)
    app = make_app(seeded)
    async with app.run_test(size=(120, 36)) as pilot:
        await _edit_email(app, pilot, "ana.lima@studio.example")
        assert [n.message for n in app._notifications][-1] == "Changed @ana: email."
    assert _email(seeded) == "ana.lima@studio.example"
    detail = seeded.writer.execute(
        "SELECT actor FROM audit_events WHERE action = 'influencer.edit'").fetchall()
    assert detail == [("tester",)]


async def test_a_bad_value_in_the_editor_is_one_sentence(seeded: Store) -> None:  # noqa: F811
    _give_ana_an_address(seeded)
    before = _email(seeded)
    app = make_app(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        await _edit_email(app, pilot, "not an address")
        [notice] = [n.message for n in app._notifications]
        assert notice.startswith("Nothing changed: email 'not an address'")
    assert _email(seeded) == before


async def test_a_viewer_may_not_edit_a_contact(seeded: Store) -> None:  # noqa: F811
    _give_ana_an_address(seeded)
    before = _email(seeded)
    viewer = Store(seeded.path, seeded.clock, actor="visitor")
    app = make_app(viewer)
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            await _edit_email(app, pilot, "other@example.com")
            assert [n.message for n in app._notifications] == \
                ["visitor is a viewer and may not edit influencers."]
        assert _email(seeded) == before
    finally:
        viewer.close()


async def test_the_editor_shows_its_keys_at_80_by_24_before_any_scrolling(seeded: Store) -> None:  # noqa: F811
    app = make_app(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_inbox(app, pilot)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ContactEditor))
        await pilot.pause()
        shown = screen_text(app)
        assert "Contact of @ana  ·  ctrl+s saves  ·  esc cancels" in shown, shown
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, InboxScreen))
