"""The README's five-minute walkthrough, done as written: its commands on a fresh workspace, then
its keys in the app, so the quick start cannot drift from what callsheet does."""

from __future__ import annotations

import imaplib
import re
import shlex
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable

from store.clock import Clock
from store.db import Store
from tests.cli_helpers import run
from tests.conftest import NOW
from tests.dovecot import ImapAccount
from tests.inbox_helpers import raw_mail
from tests.pilot_helpers import until
from tests.pipeline_helpers import stage_of
from tests.readme_sections import README, section
from tui.app import make_app
from tui.screens.inbox import InboxScreen
from tui.screens.message_view import MessageScreen
from tui.screens.moderation import ModerationScreen
from tui.screens.outbox import OutboxScreen
from tui.screens.pipeline import PipelineScreen
from tui.widgets.confirm import ConfirmScreen
from tui.widgets.conversation_list import ConversationList
from tui.widgets.invitation_list import InvitationList
from tui.widgets.pipeline_bits import ProfilePanel
from tui.widgets.timeline_view import TimelineView

pytest_plugins = ["tests.conftest_dovecot"]

WALKTHROUGH = section(README, "Five minutes: a casting call, from import to collaboration")
CAMPAIGN = "Winter Capsule"


def _block(language: str) -> str:
    [block] = re.findall(rf"```{language}\n(.*?)```", WALKTHROUGH, flags=re.S)
    return block


def _commands() -> list[list[str]]:
    """The walkthrough's command lines, `callsheet` itself (which opens the app) left out."""
    lines = [shlex.split(line) for line in _block("sh").splitlines() if line.strip()]
    assert all(words[0] == "callsheet" for words in lines), lines
    return [words[1:] for words in lines if words[1:]]


def _ana_replies(account: ImapAccount) -> None:
    """Ana answers the invitation from her mail client: it waits in the mailbox `sync` reads."""
    conn = imaplib.IMAP4(account.server.host, account.server.port)
    conn.login(account.login, account.password)
    conn.append("INBOX", None, None, raw_mail("ana@mail.example", subject="Re: Winter Capsule",
                                              body="Count me in! Which dates?",
                                              message_id="<ana-1@mail.example>"))
    conn.logout()


def _run_the_commands(db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "people.csv").write_text(_block("csv"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # `import influencers people.csv` names it from here
    for words in _commands():
        result = run(db_path, *words)
        assert result.exit_code == 0, (words, result.output)


class Keys:
    """Presses keys and remembers them, so the test can check the walkthrough names each one."""

    def __init__(self, pilot: Pilot) -> None:
        self.pilot, self.pressed = pilot, set[str]()

    async def press(self, *keys: str) -> None:
        self.pressed.update(keys)
        await self.pilot.press(*keys)

    async def confirm(self, key: str) -> None:
        """A final action asks first; `y` goes ahead."""
        await self.press(key)
        await until(self.pilot, lambda: isinstance(self.pilot.app.screen, ConfirmScreen))
        await self.press("y")


async def _moderation(keys: Keys, store: Store) -> None:
    app = keys.pilot.app
    await keys.press("3")
    await until(keys.pilot, lambda: isinstance(app.screen, ModerationScreen)
                and len(app.screen.query_one(InvitationList).items) == 2)
    await keys.press("a")
    await keys.press("a")
    await until(keys.pilot, lambda: _approved(store) == 2)


def _approved(store: Store) -> int:
    return store.writer.execute(
        "SELECT count(*) FROM messages WHERE kind = 'invitation' AND approved_by = 'tester'").fetchone()[0]


async def _inbox(keys: Keys, store: Store) -> None:
    app = keys.pilot.app
    await keys.press("2")
    await until(keys.pilot, lambda: isinstance(app.screen, InboxScreen)
                and bool(app.screen.query_one(ConversationList).rows))
    top = app.screen.query_one(ConversationList).rows[0]
    assert (top.handle, top.unread) == ("ana.lima", 1)
    await keys.press("enter")
    await until(keys.pilot, lambda: _unread(store) == 0)
    timeline = app.screen.query_one(TimelineView)
    await until(keys.pilot, lambda: "Count me in! Which dates?" in timeline.plain_text)


def _unread(store: Store) -> int:
    return store.writer.execute(
        "SELECT count(*) FROM messages WHERE direction = 'in' AND is_read = 0").fetchone()[0]


async def _pipeline(keys: Keys, store: Store) -> None:
    app, pilot = keys.pilot.app, keys.pilot
    await keys.press("1")
    await until(pilot, lambda: isinstance(app.screen, PipelineScreen) and len(app.screen.rows) == 4)
    screen = app.screen
    assert isinstance(screen, PipelineScreen) and screen.campaign_name == CAMPAIGN
    await _go_to(keys, screen, "cy.moreau")
    await keys.press("enter")
    panel = screen.query_one(ProfilePanel)
    await until(pilot, lambda: panel.display and "Cyrielle" in str(panel.render()))
    await keys.press("escape")
    await until(pilot, lambda: not panel.display)

    await keys.press("s")
    await until(pilot, lambda: stage_of(store, CAMPAIGN, "cy.moreau") == "shortlisted")
    for key, stage in (("A", "agreement sent"), ("S", "signed"), ("a", "in campaign")):
        await _go_to(keys, screen, "cy.moreau")  # after a decision the cursor is on the next row
        await keys.confirm(key)
        await until(pilot, lambda stage=stage: stage_of(store, CAMPAIGN, "cy.moreau") == stage)
    await keys.confirm("C")
    await until(pilot, lambda: stage_of(store, CAMPAIGN, "dee.kaur") == "rejected")
    assert stage_of(store, CAMPAIGN, "cy.moreau") == "in campaign"


async def _go_to(keys: Keys, screen: PipelineScreen, handle: str) -> None:
    """`j`/`k` until the cursor is on `handle`'s row."""
    await until(keys.pilot, lambda: handle in [row.handle for row in screen.rows])
    for _ in range(len(screen.rows)):
        handles = [row.handle for row in screen.rows]
        cursor = screen.query_one(DataTable).cursor_row
        if handles[cursor] == handle:
            return
        await keys.press("j" if handles.index(handle) > cursor else "k")
        await until(keys.pilot, lambda cursor=cursor: screen.query_one(DataTable).cursor_row != cursor)
    raise AssertionError(f"the cursor never reached {handle}")


async def _outbox(keys: Keys) -> None:
    app, pilot = keys.pilot.app, keys.pilot
    await keys.press("4")
    await until(pilot, lambda: isinstance(app.screen, OutboxScreen) and bool(app.screen.rows))
    outbox = app.screen
    await keys.press("enter")
    await until(pilot, lambda: isinstance(app.screen, MessageScreen))
    await keys.press("h", "escape")
    await until(pilot, lambda: app.screen is outbox)


async def test_the_walkthrough_works_as_written(db_path: Path, tmp_path: Path, imap_account: ImapAccount,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    _ana_replies(imap_account)
    _run_the_commands(db_path, tmp_path, monkeypatch)
    store = Store(db_path, Clock.fixed(NOW), actor="tester")
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        keys = Keys(pilot)
        await _moderation(keys, store)
        await _inbox(keys, store)
        await _pipeline(keys, store)
        await _outbox(keys)
        kinds = {row[0] for row in store.writer.execute(
            "SELECT kind FROM messages WHERE direction = 'out' AND status != 'planned'")}
        assert {"agreement", "congratulations", "bummer"} <= kinds, kinds
        await keys.press("ctrl+q")
    store.close()
    named = {key for key in keys.pressed if f"`{key.replace('escape', 'esc')}`" not in WALKTHROUGH}
    assert named == set(), "keys the walkthrough does not name"
