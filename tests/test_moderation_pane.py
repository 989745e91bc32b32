"""The Moderation pane driven by Pilot: skip, language, edit past the limit, approve all; then the sends."""

from __future__ import annotations

import contextlib
import json
from datetime import date
from pathlib import Path

import pytest
from textual.widgets import Button, Static, TextArea
from textual.worker import WorkerCancelled

from mailer.actions import outreach
from mailer.outreach import planner
from store.clock import Clock
from store.db import Store
from tests.outreach_helpers import add_influencers, fake_send, make_campaign, rows
from tui.app import make_app
from tui.screens.invitation_editor import InvitationEditor
from tui.screens.moderation import ModerationScreen
from tui.widgets.confirm import ConfirmScreen
from tui.widgets.invitation_list import InvitationList

EVENING = "2026-11-23T18:00:00+00:00"


def queue_store(path: Path, people: int = 6) -> Store:
    """Two campaigns (fr/en, and en) with tomorrow's invitations planned by the real planner."""
    store = Store(path, Clock.fixed(EVENING), actor="tester")
    make_campaign(store, "Glow", timezone="Europe/Paris", daily_cap=people, languages=["fr", "en"])
    make_campaign(store, "Trail", sender="team@trail.example", timezone="America/New_York", daily_cap=2)
    add_influencers(store, people // 2, language="fr")
    add_influencers(store, people - people // 2, start=people // 2, language="en")
    planner.plan(store, date(2026, 11, 24))
    return store


async def settle(pilot) -> None:
    for _ in range(3):
        # The exclusive database watcher replaced by its successor raises here.
        with contextlib.suppress(WorkerCancelled):
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def open_moderation(pilot) -> ModerationScreen:
    """Switch to Moderation (3) and wait for its queue."""
    await pilot.press("3")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ModerationScreen)
    return screen


def invitation(store: Store, message_id: int) -> dict:
    row = rows(store, "SELECT * FROM messages WHERE id = ?", (message_id,))[0]
    return {**row, "flags": json.loads(row["flags"])}


async def test_skip_language_edit_approve_all_then_what_is_sent(tmp_path: Path) -> None:
    store = queue_store(tmp_path / "q.db")
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_moderation(pilot)
        listing = screen.query_one(InvitationList)
        assert len(listing.items) == 8
        assert [item.campaign for item in listing.items] == ["Glow"] * 6 + ["Trail"] * 2
        assert "8 invitations · 8 to review · 0 approved · 0 skipped · 0 flagged" in str(
            screen.query_one("#counters", Static).render())

        skipped = listing.current.id
        await pilot.press("s")
        await settle(pilot)
        assert invitation(store, skipped)["status"] == "skipped"

        await pilot.press("j")
        relanguaged = listing.current
        await pilot.press("L")
        await settle(pilot)
        changed = invitation(store, relanguaged.id)
        assert changed["language"] != relanguaged.language and changed["status"] == "queued"

        await pilot.press("j", "e")
        await settle(pilot)
        editor = app.screen
        assert isinstance(editor, InvitationEditor)
        edited = listing.current.id
        editor.query_one(TextArea).text = "Hello! " + "This is far too long. " * 20
        await pilot.pause()
        count = str(editor.query_one("#editor-count", Static).render())
        assert "over the limit" in count and editor.query_one("#editor-count").has_class("over")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert invitation(store, edited)["flags"] == ["over_limit"]
        assert next(i for i in listing.items if i.id == edited).blocked, "the flag shows in the list"

        await pilot.press("A")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert app.screen.question.startswith("Approve 6 invitations waiting for review?")
        assert [str(b.label) for b in app.screen.query(Button)] == ["Cancel n", "Approve 6 y"]
        await pilot.press("n")
        await settle(pilot)
        assert "8 invitations · 6 to review · 0 approved · 1 skipped · 1 flagged" in str(
            screen.query_one("#counters", Static).render()), "n changes nothing"
        await pilot.press("A")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert "8 invitations · 0 to review · 6 approved · 1 skipped · 1 flagged" in str(
            screen.query_one("#counters", Static).render())

    store.clock.pinned = Clock.fixed("2026-11-25T12:00:00+00:00").now()
    fake_send(store, store.clock.now())
    outcome = {r["id"]: (r["status"], r["language"], r["approved_by"]) for r in
               rows(store, "SELECT id, status, language, approved_by FROM messages")}
    assert outcome[skipped][0] == "skipped"
    assert outcome[edited][0] == "planned", "flagged: never sent as it is"
    assert outcome[relanguaged.id] == ("sent", changed["language"], "tester")
    assert sum(1 for status, _, _ in outcome.values() if status == "sent") == 6
    actions = {r["action"] for r in rows(store, "SELECT action FROM audit_events")}
    assert {"moderation.skip", "moderation.language", "moderation.edit", "moderation.approve"} <= actions
    store.close()


async def test_tag_and_apply_to_tagged(tmp_path: Path) -> None:
    store = queue_store(tmp_path / "q.db")
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("3")
        await settle(pilot)
        listing = app.screen.query_one(InvitationList)
        await pilot.press("t", "j", "t")
        tagged = set(listing.tagged)
        assert len(tagged) == 2
        await pilot.press("semicolon")
        assert "on 2 tagged" in str(app.screen.query_one("#counters", Static).render())
        await pilot.press("s")
        await settle(pilot)
        assert {invitation(store, i)["status"] for i in tagged} == {"skipped"}
        assert listing.tagged == set()
    store.close()


async def test_a_queue_of_thousands_loads_and_pages(tmp_path: Path) -> None:
    store = queue_store(tmp_path / "q.db", people=3000)
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("3")
        await settle(pilot)
        listing = app.screen.query_one(InvitationList)
        assert len(listing.items) == 3002
        page = listing.scrollable_content_region.height - 2
        await pilot.press("pagedown", "pagedown", "j", "down", "end")
        await settle(pilot)
        assert listing.cursor == 3001
        await pilot.press("home", "pagedown", "pagedown", "j")
        await settle(pilot)
        assert listing.cursor == 2 * page + 1
        assert listing.scroll_offset.y > 0, "the list scrolled to keep the cursor in view"
        assert f"@{listing.current.handle}" in str(app.screen.query_one("#preview", Static).render())
    store.close()


@pytest.mark.parametrize("size", [(80, 24)])
def test_moderation_pane_snapshot(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    store = queue_store(tmp_path / "q.db")

    async def flag_one(pilot) -> None:
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("j", "s", "t")  # s skips the 2nd and moves on: t tags the 3rd
        await settle(pilot)

    with store.write() as db:
        db.conn.execute("UPDATE messages SET status = 'planned', flags = '[\"over_limit\"]', "
                        "body = body || ? WHERE id = 4", (" More words." * 30,))
    assert snap_compare(make_app(store), terminal_size=size, run_before=flag_one)


async def test_the_pane_follows_changes_made_elsewhere(tmp_path: Path) -> None:
    store = queue_store(tmp_path / "q.db")
    other = Store(tmp_path / "q.db", Clock.fixed(EVENING), actor="tester")
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("3")
        await settle(pilot)
        listing = app.screen.query_one(InvitationList)
        first = listing.items[0].id
        outreach.skip(other, [first])  # another moderator, another connection
        for _ in range(40):
            await pilot.pause(0.1)
            if listing.items[0].status == "skipped":
                break
        assert listing.items[0].status == "skipped"
        assert "1 skipped" in str(app.screen.query_one("#counters", Static).render())
    other.close()
    store.close()


async def _edit_first_with(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, script: str) -> tuple[Store, int]:
    """Press `E` on the first invitation with $EDITOR set to a shell `script` that rewrites the file."""
    store = queue_store(tmp_path / "q.db")
    editor = tmp_path / "editor.sh"
    editor.write_text(f"#!/bin/sh\n{script}\n")
    editor.chmod(0o755)
    monkeypatch.setenv("EDITOR", str(editor))
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("3")
        await settle(pilot)
        first = app.screen.query_one(InvitationList).current.id
        await pilot.press("E")
        await settle(pilot)
    return store, first


async def test_edit_in_dollar_editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store, first = await _edit_first_with(tmp_path, monkeypatch, 'printf "Short and sweet." > "$1"')
    assert invitation(store, first)["body"] == "Short and sweet."
    assert invitation(store, first)["status"] == "queued"
    store.close()


async def test_a_hand_made_invitation_shows_when_it_gets_a_time(tmp_path: Path) -> None:
    from mailer.actions import pipeline

    store = Store(tmp_path / "q.db", Clock.fixed(EVENING), actor="tester")
    make_campaign(store, "Glow", timezone="Europe/Paris")
    add_influencers(store, 1)
    pipeline.invite(store, "Glow", ["person0"])  # by hand: no send time until it is approved
    app = make_app(store)
    async with app.run_test(size=(100, 24)) as pilot:
        await pilot.press("3")
        await settle(pilot)
        [item] = app.screen.query_one(InvitationList).items
        assert item.when == "untimed"
        preview = str(app.screen.query_one("#preview", Static).render())
        assert "unscheduled: once approved, it leaves at the next dispatch" in preview
    store.close()


async def test_the_counters_say_why_a_campaign_adds_nothing(tmp_path: Path) -> None:
    store = queue_store(tmp_path / "q.db")
    make_campaign(store, "Casting", segment="")  # takes applications only
    app = make_app(store)
    async with app.run_test(size=(120, 24)) as pilot:
        await pilot.press("3")
        await settle(pilot)
        counters = str(app.screen.query_one("#counters", Static).render())
        assert "Casting has no segment: nothing is planned for it." in counters
        assert "Glow" not in counters and "Trail" not in counters


def first_name_of(store: Store, message_id: int) -> str:
    return rows(store, "SELECT i.first_name FROM messages m JOIN influencers i ON i.id = m.influencer_id "
                       "WHERE m.id = ?", (message_id,))[0]["first_name"]


async def test_the_editor_edits_the_template_and_saves_it_rendered(tmp_path: Path) -> None:
    store = queue_store(tmp_path / "q.db")
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("3")
        await settle(pilot)
        target = app.screen.query_one(InvitationList).current.id
        before = invitation(store, target)
        await pilot.press("e")
        await settle(pilot)
        editor = app.screen
        assert isinstance(editor, InvitationEditor)
        assert "{{" in editor.query_one(TextArea).text, "the editor shows the template, not its rendering"

        editor.query_one(TextArea).text = "Hi {{ fistName }}!"
        await pilot.pause()
        count = editor.query_one("#editor-count", Static)
        assert "'fistName' is undefined" in str(count.render()) and count.has_class("over")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert invitation(store, target) == before, "a template error changes nothing"

        await pilot.press("e")
        await settle(pilot)
        editor = app.screen
        editor.query_one(TextArea).text = "Hi {{ firstName }}!"
        await pilot.pause()
        name = first_name_of(store, target)
        count = str(editor.query_one("#editor-count", Static).render())
        assert f"{len(f'Hi {name}!')}/300 characters" in count
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert invitation(store, target)["body"] == f"Hi {name}!"
    assert invitation(store, target)["status"] == "queued"
    store.close()


async def test_dollar_editor_edits_the_template_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store, first = await _edit_first_with(tmp_path, monkeypatch,
                                          'grep -q "{{" "$1" && printf "Bye {{ firstName }}." > "$1"')
    assert invitation(store, first)["body"] == f"Bye {first_name_of(store, first)}."
    store.close()
