"""Moderation's approve-and-next and skip-and-next (as in mutt): the cursor moves to the invitation below."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot

from tests.pilot_helpers import until
from tests.test_moderation_pane import invitation, queue_store, settle
from tui.app import make_app
from tui.screens.moderation import ModerationScreen
from tui.widgets.invitation_list import InvitationList


async def _open_queue(pilot: Pilot) -> tuple[InvitationList, list[int]]:
    """Moderation opened with `3`: its list and the invitations' ids in order."""
    await pilot.press("3")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ModerationScreen)
    listing = pilot.app.screen.query_one(InvitationList)
    return listing, [item.id for item in listing.items]


async def test_approve_moves_to_the_next_and_skip_on_the_last_stays(tmp_path: Path) -> None:
    store = queue_store(tmp_path / "q.db")
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        listing, ids = await _open_queue(pilot)
        assert len(ids) == 8

        await pilot.press("j", "a")
        await until(pilot, lambda: invitation(store, ids[1])["approved_by"] == "tester")
        await settle(pilot)
        assert listing.current is not None and listing.current.id == ids[2], "on what was the 3rd"
        assert next(item for item in listing.items if item.id == ids[1]).approved_by == "tester"

        await pilot.press("s")  # skip-and-next too
        await until(pilot, lambda: invitation(store, ids[2])["status"] == "skipped")
        await settle(pilot)
        assert listing.current.id == ids[3]

        await pilot.press("end", "s")
        await until(pilot, lambda: invitation(store, ids[-1])["status"] == "skipped")
        await settle(pilot)
        assert listing.current.id == ids[-1], "the last one: the cursor stays on it"
        assert listing.current.status == "skipped"

        await pilot.press("s")  # unskip, still on the last
        await until(pilot, lambda: invitation(store, ids[-1])["status"] != "skipped")
        await settle(pilot)
        assert listing.current.id == ids[-1]
    store.close()


async def test_keys_pressed_in_a_row_act_on_one_invitation_each(tmp_path: Path) -> None:
    """The cursor moves at the key, before the write: `a a a` approves three, not one three times."""
    store = queue_store(tmp_path / "q.db")
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        listing, ids = await _open_queue(pilot)
        await pilot.press("a", "a", "a")
        await until(pilot, lambda: all(invitation(store, i)["approved_by"] for i in ids[:3]))
        await settle(pilot)
        assert invitation(store, ids[3])["approved_by"] is None
        assert listing.current.id == ids[3]
    store.close()


async def test_apply_to_tagged_leaves_the_cursor_where_it_is(tmp_path: Path) -> None:
    store = queue_store(tmp_path / "q.db")
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        listing, ids = await _open_queue(pilot)
        await pilot.press("t", "t", "k")  # tags the 1st and 2nd, back on the 2nd
        assert listing.current.id == ids[1]
        await pilot.press("semicolon", "a")
        await until(pilot, lambda: all(invitation(store, i)["approved_by"] for i in ids[:2]))
        await settle(pilot)
        assert listing.current.id == ids[1]
    store.close()
