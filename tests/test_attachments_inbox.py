"""The Inbox lists a conversation's files and saves them with one key (Pilot, a real store)."""

from __future__ import annotations

from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

import pytest
from textual.widgets import Input, Label, TextArea

from mailer.imap.attachment_parts import store_parts
from mailer.imap.parse import parse
from store import attachment_mail, inbound
from store.db import Store
from tests.inbox_helpers import add_campaign, add_influencer, send
from tests.pilot_helpers import until as wait_for
from tui.app import make_app
from tui.screens.compose_modal import ComposeModal
from tui.screens.inbox_modals import FolderModal
from tui.widgets.confirm import ConfirmScreen
from tui.widgets.conversation_list import ConversationList
from tui.widgets.timeline_view import TimelineView

KIT = b"%PDF-1.4\nmedia kit\n%%EOF\n"


def _reply(in_reply_to: str) -> bytes:
    message = EmailMessage()
    message["From"] = "ana@mail.example"
    message["To"] = "casting@brand.example"
    message["Subject"] = "Re: Casting"
    message["Message-ID"] = "<kit-1@mail.example>"
    message["In-Reply-To"] = in_reply_to
    message.set_content("My media kit is attached.")
    message.add_attachment(KIT, maintype="application", subtype="pdf", filename="[bold red]kit[i].pdf")
    return message.as_bytes(policy=SMTP)


@pytest.fixture
def with_files(store: Store) -> Store:
    """ana answered with a PDF, stored as sync stores it."""
    sent = send(store, add_influencer(store, "ana"), subject="Casting", campaign_id=add_campaign(store))
    mail = parse(_reply(sent))
    store_parts(store, [mail])
    with store.write() as db:
        saved = inbound.save(db, mail, now=store.now_iso(), actor="tester")
        attachment_mail.keep_incoming(db, saved.row_id, mail.attachments, now=store.now_iso())
    return store


async def test_d_saves_the_files_to_downloads_and_says_where(with_files: Store, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    (home / "Downloads").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    app = make_app(with_files)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("2")
        listing = app.screen.query_one(ConversationList)
        await wait_for(pilot, lambda: len(listing.rows) == 1)
        view = app.screen.query_one(TimelineView)
        await wait_for(pilot, lambda: "[bold red]kit[i].pdf (25 B) #1" in view.plain_text)
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, FolderModal))
        assert app.screen.query_one("#folder-path", Input).value == str(home / "Downloads")
        await pilot.press("enter")
        await wait_for(pilot, lambda: any("Saved 1 file" in n.message for n in app._notifications))
        [said] = [n.message for n in app._notifications if "Saved" in n.message]
        assert str(home / "Downloads") in said
        assert (home / "Downloads" / "[bold red]kit[i].pdf").read_bytes() == KIT
        # Another folder, typed in; and esc saves nothing.
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, FolderModal))
        await pilot.press("escape")
        other = tmp_path / "contracts"
        other.mkdir()
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, FolderModal))
        app.screen.query_one("#folder-path", Input).value = str(other)
        await pilot.press("enter")
        await wait_for(pilot, lambda: (other / "[bold red]kit[i].pdf").exists())
        assert sorted(path.name for path in (home / "Downloads").iterdir()) == ["[bold red]kit[i].pdf"]


async def test_the_compose_dialog_attaches_a_file_and_shows_its_size(with_files: Store,
                                                                    tmp_path: Path) -> None:
    brief = tmp_path / "brief.pdf"
    brief.write_bytes(KIT * 100)
    app = make_app(with_files)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("2")
        listing = app.screen.query_one(ConversationList)
        await wait_for(pilot, lambda: len(listing.rows) == 1)
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ComposeModal))
        app.screen.query_one("#compose-subject", Input).value = "The brief"
        app.screen.query_one("#compose-body", TextArea).text = "Here it is."
        field = app.screen.query_one("#compose-attach", Input)
        size = app.screen.query_one("#compose-attach-size", Label)
        field.value = str(tmp_path / "nope.pdf")
        await wait_for(pilot, lambda: "nope.pdf: no such file" in str(size.content))
        field.value = str(brief)
        await wait_for(pilot, lambda: str(size.content) == "brief.pdf 2 KB")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "Attached: brief.pdf (2 KB)" in app.screen.preview
        await pilot.press("y")
        linked = """SELECT l.filename, a.size FROM message_attachments l
                    JOIN attachments a ON a.id = l.attachment_id JOIN messages m ON m.id = l.message_id
                    WHERE m.direction = 'out'"""
        await wait_for(pilot, lambda: bool(with_files.writer.execute(linked).fetchall()))
        assert with_files.writer.execute(linked).fetchall() == [("brief.pdf", len(KIT) * 100)]
