"""The Inbox's `+`, `-` and `0` mark the latest reply, the timeline shows marks, `I` invites."""

from __future__ import annotations

import pytest

from mailer.imap.parse import parse
from store import inbound
from store.db import Store
from tests.inbox_helpers import add_campaign, add_influencer, raw_mail, send
from tests.pilot_helpers import until
from tui.app import make_app
from tui.widgets.conversation_list import ConversationList
from tui.widgets.timeline_view import TimelineView


@pytest.fixture
def seeded(store: Store) -> Store:
    """ana asked a question (newest, so hers is the conversation the Inbox opens on); bo is away."""
    campaign = add_campaign(store, "spring26")
    for handle, subject, body, at in (
            ("bo", "Out of office: Casting", "Back on Monday.", "2026-11-23T09:00:00+00:00"),
            ("ana", "Re: Casting", "What is the fee?", "2026-11-23T10:00:00+00:00")):
        influencer = add_influencer(store, handle)
        sent = send(store, influencer, subject="Casting", campaign_id=campaign)
        with store.write() as db:
            inbound.save(db, parse(raw_mail(f"{handle}@mail.example", subject=subject, body=body,
                                            message_id=f"<{handle}-1@mail.example>", in_reply_to=sent,
                                            date=at)), now=store.now_iso(), actor=store.actor)
    return store


def mark(store: Store, handle: str) -> tuple:
    return store.writer.execute(
        """SELECT m.kind, m.reply_signal, m.reply_signal_by FROM messages m JOIN influencers i
           ON i.id = m.influencer_id WHERE i.handle = ? AND m.direction = 'in'""", (handle,)).fetchone()


async def test_plus_minus_and_zero_mark_the_latest_reply(seeded: Store) -> None:
    app = make_app(seeded)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("2")
        listing = app.screen.query_one(ConversationList)
        view = app.screen.query_one(TimelineView)
        await until(pilot, lambda: len(listing.rows) == 2 and "What is the fee?" in view.plain_text)
        assert listing.current_row().handle == "ana"
        assert "(guess)" not in view.plain_text  # a neutral guess says nothing
        for key, signal, shown in (("plus", "positive", "+ positive (you)"),
                                   ("minus", "negative", "- negative (you)"),
                                   ("0", "neutral", "0 neutral (you)")):
            await pilot.press(key)
            await until(pilot, lambda signal=signal: mark(seeded, "ana")[1:] == (signal, "tester"))
            await until(pilot, lambda shown=shown: shown in view.plain_text)
        await pilot.press("j")
        await until(pilot, lambda: "Back on Monday." in view.plain_text)
        assert "auto-reply  unread  from bo@mail.example  not counted as a reply" in view.plain_text
        assert mark(seeded, "bo")[0] == "auto-reply"


async def test_the_mark_keys_are_in_help_and_the_palette(seeded: Store) -> None:
    app = make_app(seeded)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("2")
        await until(pilot, lambda: len(app.screen.query_one(ConversationList).rows) == 2)
        rows = app.binding_rows(app.screen)
        for row in (("+", "Mark reply positive", "Inbox"), ("-", "Mark reply negative", "Inbox"),
                    ("0", "Mark reply neutral", "Inbox"), ("I", "Add to campaign", "Inbox")):
            assert row in rows
        titles = {command.title: command.help for command in app.get_system_commands(app.screen)}
        assert titles["Mark reply positive"] == "key: +" and titles["Add to campaign"] == "key: I"
        keys = [row[0] for row in rows]
        assert len(keys) == len(set(keys)), keys  # one meaning per key in the Inbox and the app
