"""A delivery report suppresses only when it refers to mail we sent them; forged ones wait, unverified."""

from __future__ import annotations

import imaplib
from datetime import timedelta
from pathlib import Path

import pytest
from textual.widgets import Static

from mailer.imap.parse import parse
from mailer.imap.sync import sync
from store import bounces, inbound
from store.db import Store
from tests.cli_helpers import run, run_json
from tests.dovecot import ImapAccount
from tests.inbox_helpers import add_influencer, dsn_mail, send
from tests.pilot_helpers import until as wait_for
from tui.app import make_app
from tui.screens.inbox_modals import PickModal

pytest_plugins = ["tests.conftest_dovecot"]


def receive(store: Store, raw: bytes) -> inbound.Saved:
    with store.write() as db:
        return inbound.save(db, parse(raw), now=store.now_iso(), actor=store.actor)


def bounced(store: Store, handle: str) -> int:
    return store.writer.execute("SELECT bounced FROM influencers WHERE handle = ?", (handle,)).fetchone()[0]


def can_be_emailed(store: Store, influencer_id: int) -> bool:
    send(store, influencer_id, subject="Still there?", status="queued")
    last = "SELECT status FROM messages WHERE influencer_id = ? ORDER BY id DESC LIMIT 1"
    return store.writer.execute(last, (influencer_id,)).fetchone()[0] == "queued"


def test_a_forged_report_for_someone_never_mailed_suppresses_nobody(store: Store) -> None:
    ana = add_influencer(store, "ana")
    saved = receive(store, dsn_mail("ana@mail.example", "<made-up@anywhere.example>"))
    assert saved.unverified and saved.bounced_influencer is None and saved.match.influencer_id is None
    assert bounced(store, "ana") == 0 and can_be_emailed(store, ana)
    [row] = bounces.inspector(store.reader())
    assert (row["state"], row["handle"], row["email"]) == ("unverified", "ana", "ana@mail.example")
    assert row["bounce_reason"].startswith("5.1.1")
    assert "Final-Recipient" in bounces.report_text(store.reader(), row["report_id"])


def test_our_message_id_quoted_for_another_address_does_not_suppress_either(store: Store) -> None:
    ana, bo = add_influencer(store, "ana"), add_influencer(store, "bo")
    to_ana = send(store, ana)
    assert receive(store, dsn_mail("bo@mail.example", to_ana)).unverified
    assert (bounced(store, "ana"), bounced(store, "bo")) == (0, 0)
    assert can_be_emailed(store, bo)


def test_a_report_quoting_mail_we_sent_to_that_address_suppresses(store: Store) -> None:
    ana = add_influencer(store, "ana")
    saved = receive(store, dsn_mail("ana@mail.example", send(store, ana)))
    assert not saved.unverified and saved.bounced_influencer == ana
    assert bounced(store, "ana") == 1 and not can_be_emailed(store, ana)
    assert [(r["state"], r["handle"]) for r in bounces.inspector(store.reader())] == [("bounced", "ana")]


@pytest.mark.parametrize(("days_ago", "suppressed"), [(2, True), (30, False)])
def test_without_a_message_id_a_recent_send_to_that_address_is_needed(store: Store, days_ago: int,
                                                                      suppressed: bool) -> None:
    ana = add_influencer(store, "ana")
    store.clock.advance(timedelta(days=-days_ago))
    send(store, ana)
    store.clock.advance(timedelta(days=days_ago))
    saved = receive(store, dsn_mail("ana@mail.example", None))
    assert (saved.bounced_influencer == ana, saved.unverified) == (suppressed, not suppressed)
    assert bounced(store, "ana") == int(suppressed)


def append(account: ImapAccount, *messages: bytes) -> None:
    conn = imaplib.IMAP4(account.server.host, account.server.port)
    try:
        conn.login(account.login, account.password)
        for raw in messages:
            assert conn.append("INBOX", None, None, raw)[0] == "OK"
    finally:
        conn.logout()


@pytest.fixture
def synced(store: Store, imap_account: ImapAccount) -> Store:
    """Through a real Dovecot: a forged report about cy (never mailed), a genuine one about bo."""
    add_influencer(store, "cy")
    to_bo = send(store, add_influencer(store, "bo"))
    append(imap_account, dsn_mail("cy@mail.example", "<forged@attacker.example>", message_id="<f@x>"),
           dsn_mail("bo@mail.example", to_bo, message_id="<g@x>"))
    report = sync(store)
    assert (report.fetched, report.bounces, report.unverified_bounces) == (2, 2, 1)
    return store


def test_sync_and_the_bounces_command_list_the_forged_report_as_unverified(db_path: Path,
                                                                          synced: Store) -> None:
    assert (bounced(synced, "bo"), bounced(synced, "cy")) == (1, 0)
    listed = run_json(db_path, "bounces")
    assert [(r["handle"], r["state"]) for r in listed] == [("bo", "bounced"), ("cy", "unverified")]
    table = run(db_path, "bounces").stdout
    assert "unverified" in table and "cy@mail.example" in table
    assert run(db_path, "bounces", "clear", "cy").exit_code == 1  # nothing to clear: never suppressed


async def test_the_bounce_inspector_shows_the_unverified_report(synced: Store) -> None:
    app = make_app(synced)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("2")
        await pilot.press("exclamation_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, PickModal))
        labels = [label for label, _, _ in app.screen.items]
        assert labels[0].startswith("bo") and labels[1].startswith("unverified  cy@mail.example  (cy)")
        await pilot.press("down")
        detail = app.screen.query_one("#pick-detail-text", Static)
        await wait_for(pilot, lambda: "nobody was suppressed" in str(detail.content))
        await pilot.press("enter")  # nothing to clear: a notice, and cy stays mailable
        await wait_for(pilot, lambda: not isinstance(app.screen, PickModal))
    assert bounced(synced, "cy") == 0
