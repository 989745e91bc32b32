"""The Inbox pane driven by Pilot: open, reply, toggle unread, bookmark, bulk email, search, filter."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot
from textual.widgets import Button, Input, Select, Static, TextArea

from mailer.imap.parse import parse
from store import inbound
from store.db import Store
from tests.inbox_helpers import add_campaign, add_influencer, raw_mail, send
from tests.pilot_helpers import until as wait_for
from tui.app import CallsheetApp, make_app
from tui.screens.compose_modal import ComposeModal
from tui.screens.inbox import InboxScreen
from tui.screens.inbox_modals import FilterModal, PickModal
from tui.widgets.confirm import ConfirmScreen
from tui.widgets.conversation_list import ConversationList
from tui.widgets.timeline_view import TimelineView


@pytest.fixture
def seeded(store: Store) -> Store:
    """ana wrote back (unread); bo and cy were only invited."""
    campaign = add_campaign(store, "spring26")
    ids = {h: add_influencer(store, h) for h in ("ana", "bo", "cy")}
    sent = {h: send(store, i, subject=f"Casting for {h}", campaign_id=campaign) for h, i in ids.items()}
    with store.write() as db:
        db.conn.execute(
            """INSERT INTO applications (influencer_id, campaign_id, source, stage, fee, created_at,
                   updated_at) VALUES (?, ?, 'invited', 'to review', 300, ?, ?)""",
            (ids["ana"], campaign, store.now_iso(), store.now_iso()))
        inbound.save(db, parse(raw_mail("ana@mail.example", subject="Re: Casting for ana",
                                        body="What is the fee?", message_id="<ana-1@mail.example>",
                                        in_reply_to=sent["ana"], date="2026-11-23T10:00:00+00:00")),
                     now=store.now_iso(), actor="tester")
    return store


async def open_inbox(app: CallsheetApp, pilot: Pilot) -> ConversationList:
    await pilot.press("2")
    listing = app.screen.query_one(ConversationList)
    await wait_for(pilot, lambda: len(listing.rows) == 3)
    return listing


def outbox(store: Store, kind: str) -> list[tuple]:
    return store.writer.execute(
        """SELECT to_addr, subject, body, in_reply_to, status FROM messages
           WHERE direction = 'out' AND kind = ?""",
        (kind,)).fetchall()


async def test_list_unread_first_and_timeline_with_states(seeded: Store) -> None:
    app = make_app(seeded)
    async with app.run_test(size=(120, 36)) as pilot:
        listing = await open_inbox(app, pilot)
        assert isinstance(app.screen, InboxScreen)
        assert [row.handle for row in listing.rows][0] == "ana"
        assert listing.rows[0].unread == 1
        view = app.screen.query_one(TimelineView)
        await wait_for(pilot, lambda: "What is the fee?" in view.plain_text)
        assert "invitation  sent" in view.plain_text and "reply  unread" in view.plain_text
        panel = str(app.screen.query_one("#inbox-panel", Static).content)
        assert "spring26" in panel and "to review · invited · 300 EUR" in panel


async def test_reply_is_threaded_previewed_and_queued(seeded: Store) -> None:
    app = make_app(seeded)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_inbox(app, pilot)
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ComposeModal))
        body = app.screen.query_one("#compose-body", TextArea)
        assert "> What is the fee?" in body.text
        body.insert("The fee is 300 EUR.", (0, 0))
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert app.screen.question == "Queue this message?"
        assert "To: ana@mail.example" in app.screen.preview and "Re: Casting for ana" in app.screen.preview
        await pilot.press("y")
        await wait_for(pilot, lambda: bool(outbox(seeded, "manual")))
        [(to_addr, subject, text, in_reply_to, status)] = outbox(seeded, "manual")
        assert (to_addr, subject, in_reply_to, status) == (
            "ana@mail.example", "Re: Casting for ana", "<ana-1@mail.example>", "queued")
        assert text.startswith("The fee is 300 EUR.") and "> What is the fee?" in text


async def test_no_in_the_preview_goes_back_to_the_draft_and_queues_nothing(seeded: Store) -> None:
    app = make_app(seeded)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_inbox(app, pilot)
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ComposeModal))
        app.screen.query_one("#compose-subject", Input).value = "Hello"
        app.screen.query_one("#compose-body", TextArea).text = "Just checking in."
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert [str(b.label) for b in app.screen.query(Button)] == ["Back to the draft n", "Queue y"]
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, ComposeModal))
        draft = app.screen.query_one("#compose-body", TextArea).text
        assert draft == "Just checking in."  # the draft is kept
        assert app.screen.query_one("#compose-subject", Input).value == "Hello"
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, InboxScreen))
        assert outbox(seeded, "manual") == []


async def test_toggle_unread_and_bookmark(seeded: Store) -> None:
    app = make_app(seeded)
    async with app.run_test(size=(120, 36)) as pilot:
        listing = await open_inbox(app, pilot)
        unread = "SELECT unread FROM conversations WHERE influencer_id = 1 AND campaign_id = 0"
        await pilot.press("N")
        await wait_for(pilot, lambda: seeded.writer.execute(unread).fetchone()[0] == 0)
        await wait_for(pilot, lambda: listing.rows[0].unread == 0)
        await pilot.press("N")
        await wait_for(pilot, lambda: seeded.writer.execute(unread).fetchone()[0] == 1)
        await pilot.press("b")
        await wait_for(pilot, lambda: listing.rows[0].bookmarked == 1)


async def test_n_marks_a_conversation_of_our_mail_alone_unread_as_the_cli_does(seeded: Store) -> None:
    from tests.cli_helpers import run, run_json

    app = make_app(seeded)
    async with app.run_test(size=(120, 36)) as pilot:
        listing = await open_inbox(app, pilot)
        listing.highlighted = [r.handle for r in listing.rows].index("bo")  # only our invitation
        await wait_for(pilot, lambda: listing.current_id() == 2)
        await pilot.press("N")
        await wait_for(pilot, lambda: [r.unread for r in listing.rows if r.handle == "bo"] == [1])
        assert [r["handle"] for r in run_json(seeded.path, "inbox", "--unread")] == ["bo", "ana"]
        assert run(seeded.path, "mark", "bo").exit_code == 0
        assert run(seeded.path, "mark", "cy", "--unread").exit_code == 0
        await pilot.press("N")  # bo is read again (the CLI did it): N marks it unread once more
        unread = "SELECT unread FROM conversations WHERE influencer_id = 2 AND campaign_id = 0"
        await wait_for(pilot, lambda: seeded.writer.execute(unread).fetchone()[0] == 1)


async def test_enter_marks_read(seeded: Store) -> None:
    app = make_app(seeded)
    async with app.run_test(size=(120, 36)) as pilot:
        listing = await open_inbox(app, pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: listing.rows and listing.rows[0].unread == 0)


async def test_bulk_email_to_the_tagged_with_a_confirmed_count(seeded: Store) -> None:
    app = make_app(seeded)
    async with app.run_test(size=(120, 36)) as pilot:
        listing = await open_inbox(app, pilot)
        await pilot.press("B")
        assert isinstance(app.screen, InboxScreen)  # nothing tagged yet: only a notice
        await pilot.press("t", "t")
        assert len(listing.tagged) == 2
        await pilot.press("B")
        await wait_for(pilot, lambda: isinstance(app.screen, ComposeModal))
        app.screen.query_one("#compose-subject", Input).value = "Brief is out"
        app.screen.query_one("#compose-body", TextArea).text = "The brief is attached."
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert app.screen.question == "Queue 2 messages?"
        await pilot.press("y")
        await wait_for(pilot, lambda: len(outbox(seeded, "bulk")) == 2)
        assert {row[1] for row in outbox(seeded, "bulk")} == {"Brief is out"}
        assert listing.tagged == set()


async def test_search_and_filter(seeded: Store) -> None:
    other = add_campaign(seeded, "autumn")
    send(seeded, add_influencer(seeded, "di"), subject="Autumn casting", campaign_id=other)
    app = make_app(seeded)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("2")
        listing = app.screen.query_one(ConversationList)
        await wait_for(pilot, lambda: len(listing.rows) == 4)
        await pilot.press("slash")
        await pilot.press(*"fee", "enter")
        await wait_for(pilot, lambda: [r.handle for r in listing.rows] == ["ana"])
        await pilot.press("escape")
        await wait_for(pilot, lambda: len(listing.rows) == 4)
        await pilot.press("backslash")
        await wait_for(pilot, lambda: isinstance(app.screen, FilterModal))
        app.screen.query_one("#filter-campaign").value = other
        await pilot.press("enter")
        await wait_for(pilot, lambda: [r.handle for r in listing.rows] == ["di"])


async def test_compose_from_a_template_renders_for_the_recipient(seeded: Store) -> None:
    app = make_app(seeded)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_inbox(app, pilot)
        await pilot.press("c")
        # The picker takes a value once its own parts are mounted, as a person's choice would.
        await wait_for(pilot, lambda: isinstance(app.screen, ComposeModal)
                       and bool(app.screen.query("#compose-template SelectCurrent #label")))
        app.screen.query_one("#compose-template", Select).value = "welcome"
        body = app.screen.query_one("#compose-body", TextArea)
        await wait_for(pilot, lambda: "{{" in body.text)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "{{" not in app.screen.preview and "Ana" in app.screen.preview
        await pilot.press("y")
        await wait_for(pilot, lambda: len(outbox(seeded, "manual")) == 1)


async def test_capital_i_invites_to_a_campaign(seeded: Store) -> None:
    other = add_campaign(seeded, "autumn")
    app = make_app(seeded)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_inbox(app, pilot)
        await pilot.press("I")
        await wait_for(pilot, lambda: isinstance(app.screen, PickModal))
        await pilot.press("enter")  # the newest campaign comes first: autumn
        stage = "SELECT stage FROM applications WHERE influencer_id = 1 AND campaign_id = ?"
        await wait_for(pilot, lambda: seeded.writer.execute(stage, (other,)).fetchone() is not None)
        assert seeded.writer.execute(stage, (other,)).fetchone()[0] == "invited"


async def test_stray_mail_is_attached_from_the_pane(seeded: Store) -> None:
    with seeded.write() as db:
        stray = inbound.save(db, parse(raw_mail("agent@else.example", message_id="<stray@x>")),
                             now=seeded.now_iso(), actor="tester").row_id
    app = make_app(seeded)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_inbox(app, pilot)
        await pilot.press("u")
        await wait_for(pilot, lambda: isinstance(app.screen, PickModal))
        await pilot.press("enter")
        owner = "SELECT influencer_id FROM messages WHERE id = ?"
        await wait_for(pilot, lambda: seeded.writer.execute(owner, (stray,)).fetchone()[0] == 1)


async def test_bounce_inspector_clears_a_false_positive(seeded: Store) -> None:
    from store import bounces

    with seeded.write() as db:
        bounces.mark(db, 2, "5.1.1 user unknown", now=seeded.now_iso(), actor="tester")
    app = make_app(seeded)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_inbox(app, pilot)
        await pilot.press("exclamation_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, PickModal))
        assert "5.1.1 user unknown" in str(app.screen.query_one("#pick-detail-text", Static).content)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        flag = "SELECT bounced FROM influencers WHERE id = 2"
        await wait_for(pilot, lambda: seeded.writer.execute(flag).fetchone()[0] == 0)


async def test_mail_synced_elsewhere_shows_up_by_itself(seeded: Store) -> None:
    daemon = Store(seeded.path, seeded.clock, actor="daemon")  # another connection, as `callsheet run`
    app = make_app(seeded)
    async with app.run_test(size=(120, 36)) as pilot:
        listing = await open_inbox(app, pilot)
        with daemon.write() as db:
            inbound.save(db, parse(raw_mail("cy@mail.example", message_id="<cy-1@mail.example>",
                                            date="2026-11-23T10:00:00+00:00")), now=daemon.now_iso(),
                         actor="daemon")
        await wait_for(pilot, lambda: [(r.handle, r.unread) for r in listing.rows][:2] == [
            ("cy", 1), ("ana", 1)])
    daemon.close()
