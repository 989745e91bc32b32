"""The Pipeline's `i` (Invite…) driven by Pilot: a query or a saved segment, the count, "Invite N"."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Button, Input, Select, Static

from mailer.actions import pipeline
from store import segments
from store.clock import Clock
from store.db import Store
from tests.pilot_helpers import until
from tests.pipeline_helpers import add_influencer, make_campaign
from tui.app import make_app
from tui.screens.invite_modal import InviteModal
from tui.screens.pipeline import PipelineScreen

NOW = "2026-11-23T10:00:00+00:00"


def _store(path: Path) -> Store:
    """Spring has cat; ana, bob, cat, dan (bounced) are tagged beauty; fay is not. The older
    Winter has ana in campaign and fay rejected (the app opens on the newest, Spring)."""
    store = Store(path, Clock.fixed(NOW), actor="tester")
    make_campaign(store, "Winter")
    make_campaign(store, moderation=False)
    for handle in ("ana", "bob", "cat", "dan"):
        add_influencer(store, handle, tags=["beauty"], bounced=int(handle == "dan"))
    add_influencer(store, "fay", tags=["food"])
    pipeline.invite(store, "Spring", ["cat"])
    with store.write() as db:
        segments.save(db, "Food", "tag:food", actor="tester", now=NOW)
        for handle, stage in (("ana", "in campaign"), ("fay", "rejected")):
            db.conn.execute(
                "INSERT INTO applications (influencer_id, campaign_id, source, stage, created_at, "
                "updated_at) SELECT i.id, c.id, 'invited', ?, ?, ? FROM influencers i, campaigns c "
                "WHERE i.handle = ? AND c.name = 'Winter'", [stage, NOW, NOW, handle])
    return store


def _preview(modal: InviteModal) -> str:
    return str(modal.query_one("#invite-preview", Static).render())



async def _previewed(pilot, query: str, expected: str) -> InviteModal:
    """Open Invite… (i), type `query`, and wait for its preview to say `expected`."""
    await pilot.press("i")
    await until(pilot, lambda: isinstance(pilot.app.screen, InviteModal))
    modal = pilot.app.screen
    assert isinstance(modal, InviteModal)
    await pilot.press(*query, "enter")
    await until(pilot, lambda: expected in _preview(modal))
    return modal

async def test_invite_a_query_from_the_pipeline(tmp_path: Path) -> None:
    store = _store(tmp_path / "cs.db")
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, PipelineScreen)
        await until(pilot, lambda: [r.handle for r in screen.rows] == ["cat"])
        modal = await _previewed(pilot, "tag:beauty", "2 to invite")
        assert ("From query 'tag:beauty', 2 to invite to 'Spring': @ana, @bob; skipping 2 "
                "(1 suppressed, 1 already in the pipeline).") in _preview(modal).replace("\n", " ")
        button = modal.query_one("#invite-yes", Button)
        assert str(button.label) == "Invite 2" and not button.disabled
        assert modal.region.width <= 80 and modal.query_one("#invite-box").region.bottom <= 24
        await pilot.click("#invite-yes")
        await until(pilot, lambda: sorted(r.handle for r in screen.rows) == ["ana", "bob", "cat"])
        assert isinstance(app.screen, PipelineScreen)
        # The watcher may show the new rows before the action's own message arrives: wait for it.
        said = "Invited 2 influencers from query 'tag:beauty' to 'Spring'"
        await until(pilot, lambda: any(said in n.message for n in app._notifications))


async def test_a_saved_segment_and_a_refusal(tmp_path: Path) -> None:
    store = _store(tmp_path / "cs.db")
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await until(pilot, lambda: bool(screen.rows))
        await pilot.press("i")
        await until(pilot, lambda: isinstance(app.screen, InviteModal))
        modal = app.screen
        modal.query_one("#invite-query", Input).value = "segment:Nope"
        await pilot.press("enter")
        await until(pilot, lambda: "There is no segment named 'Nope'" in _preview(modal))
        assert modal.query_one("#invite-yes", Button).disabled
        modal.query_one("#invite-kind", Select).value = "segment"
        segment = modal.query_one("#invite-segment", Select)
        await until(pilot, lambda: segment.display and bool(segment._options[1:]))
        segment.value = "Food"
        await until(pilot, lambda: "1 to invite" in _preview(modal))
        assert str(modal.query_one("#invite-yes", Button).label) == "Invite 1"
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, PipelineScreen))
        assert [r.handle for r in screen.rows] == ["cat"], "cancelled: nobody invited"


async def test_another_campaigns_people_at_a_stage(tmp_path: Path) -> None:
    app = make_app(_store(tmp_path / "cs.db"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await until(pilot, lambda: [r.handle for r in screen.rows] == ["cat"])
        await pilot.press("i")
        await until(pilot, lambda: isinstance(app.screen, InviteModal))
        modal = app.screen
        modal.query_one("#invite-kind", Select).value = "campaign"
        other = modal.query_one("#invite-campaign", Select)
        await until(pilot, lambda: bool(other._options[1:]))
        assert [value for _label, value in other._options[1:]] == ["Winter"], "not the campaign on screen"
        other.value = "Winter"
        await until(pilot, lambda: "From campaign 'Winter', 2 to invite" in _preview(modal))
        modal.query_one("#invite-stage", Select).value = "in campaign"
        await until(pilot, lambda: "From campaign 'Winter' (in campaign), 1 to invite" in _preview(modal))
        await pilot.click("#invite-yes")
        await until(pilot, lambda: sorted(r.handle for r in screen.rows) == ["ana", "cat"])


async def test_the_dialog_says_its_keys_and_fits_80_by_24_with_a_long_preview(tmp_path: Path) -> None:
    store = _store(tmp_path / "cs.db")
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        modal = await _previewed(pilot, "tag:beauty", "2 to invite")
        await pilot.pause()
        keys = modal.query_one("#invite-keys", Static)
        assert "esc cancels" in str(keys.render()) and keys.region.height == 1
        assert modal.query_one("#invite-box").region.bottom <= 24
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, PipelineScreen))
