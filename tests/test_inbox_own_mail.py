"""Copies of mail we sent from our own client (sync, `attach`, the `u` picker) are outgoing, never replies."""

from __future__ import annotations

import imaplib
from pathlib import Path

import pytest

from mailer.imap.parse import parse
from mailer.imap.sync import sync
from store import campaigns, inbound, inbox, operators, sequence
from store.db import Store
from store.query.parser import parse_query
from tests.cli_helpers import run, run_json
from tests.dovecot import ImapAccount
from tests.inbox_helpers import SENDER, add_campaign, add_influencer, raw_mail, send
from tests.outreach_helpers import accept
from tests.pilot_helpers import until as wait_for
from tests.test_sequence import invited, live, paris, steps
from tui.app import make_app
from tui.screens.inbox_modals import PickModal
from tui.widgets.conversation_list import ConversationList

pytest_plugins = ["tests.conftest_dovecot"]

SMTP_LOGIN = "me@agency.example"
SINCE = "2026-11-23T00:00:00+00:00"


@pytest.fixture
def smtp_login(monkeypatch: pytest.MonkeyPatch) -> str:
    """The SMTP login is an address of ours that only the config knows."""
    monkeypatch.setenv("CALLSHEET_SMTP_URL", "smtp://me%40agency.example@127.0.0.1:2525?tls=none")
    return SMTP_LOGIN


def append(account: ImapAccount, *messages: bytes) -> None:
    conn = imaplib.IMAP4(account.server.host, account.server.port)
    try:
        conn.login(account.login, account.password)
        for raw in messages:
            assert conn.append("INBOX", None, None, raw)[0] == "OK"
    finally:
        conn.logout()


def copy(sender: str, to: str, message_id: str, **headers: str) -> bytes:
    """Mail the operator wrote in their own client, as it lands in the synced mailbox."""
    return raw_mail(sender, subject="About the shoot", body="See you Monday.", message_id=message_id,
                    **headers).replace(b"To: casting@brand.example", f"To: {to}".encode())


def row(store: Store, message_id: str) -> dict:
    return dict(next(store.writer.query(
        """SELECT i.handle, m.direction, m.kind, m.status, m.is_read, m.sent_at FROM messages m
           LEFT JOIN influencers i ON i.id = m.influencer_id WHERE m.message_id = ?""", [message_id])))


def replied(store: Store) -> set[str]:
    where, params = parse_query("replied:yes").to_sql(store.clock.now())
    return {r[0] for r in store.reader().execute(f"SELECT handle FROM influencers i WHERE {where}", params)}


def test_sync_stores_copies_of_our_mail_as_sent_to_the_recipient(
        store: Store, imap_account: ImapAccount, smtp_login: str) -> None:
    campaign = add_campaign(store)
    ana, bo = add_influencer(store, "ana"), add_influencer(store, "bo")
    invitation = send(store, ana, campaign_id=campaign)
    with store.write() as db:
        operators.add(db, "lea", "evaluator", "lea@brand.example", "Lea", store.now_iso())
    append(imap_account,
           raw_mail("ana@mail.example", message_id="<ana-yes@mail.example>", in_reply_to=invitation),
           # Threaded by its references, written from the campaign's sender address.
           copy(SENDER, "someone@else.example", "<c1@brand.example>", in_reply_to="<ana-yes@mail.example>"),
           # Threaded by nothing: the recipient says who it was for; written from the SMTP login.
           copy(smtp_login, "Bo <BO@mail.example>", "<c2@agency.example>"),
           # An operator's address, to someone we do not know: not kept (see store.own_mail).
           copy("Lea <lea@brand.example>", "agent@else.example", "<c3@brand.example>"))
    report = sync(store)
    assert (report.fetched, report.matched, report.outgoing, report.unmatched) == (4, 1, 2, 0)
    assert report.outgoing_skipped == 1 and report.duplicates == 0
    assert row(store, "<c1@brand.example>") == {
        "handle": "ana", "direction": "out", "kind": "manual", "status": "sent", "is_read": 1,
        "sent_at": "2026-11-23T09:00:00+00:00"}
    assert row(store, "<c2@agency.example>")["handle"] == "bo"
    assert row(store, "<c2@agency.example>")["direction"] == "out"
    assert inbox.unmatched(store.reader()) == []
    assert store.writer.execute("SELECT 1 FROM messages WHERE message_id = ?", ["<c3@brand.example>"]
                                ).fetchone() is None
    assert replied(store) == {"ana"}
    db = store.reader()
    assert not inbox.replied_since(db, bo, SINCE)
    campaign_row = campaigns.get_by_id(db, campaign)
    assert sequence.written_since(db, ana, campaign_row, SINCE)  # "the sender wrote to them"
    assert not inbox.has_unread(db, bo)
    assert sync(store).fetched == 0


@pytest.mark.parametrize(("ongoing", "incoming", "welcome"), [
    (False, True, "sent"),  # a copy of our mail is no incoming mail: the welcome still goes
    (True, False, "skipped"),  # but it is the sender writing to them
])
def test_a_synced_copy_counts_as_ongoing_never_as_incoming(store: Store, ongoing: bool, incoming: bool,
                                                           welcome: str) -> None:
    campaign, ids = invited(store, ongoing=ongoing, incoming=incoming)
    store.clock.pinned = paris(2026, 3, 28, 10)
    accept(store, campaign, ids[0], store.clock.now())
    mail = parse(copy("casting@brand.example", "person0@mail.example", "<copy@brand.example>",
                      date="2026-03-28T10:00:00+00:00"))
    store.clock.pinned = paris(2026, 3, 28, 12)
    with store.write() as db:
        assert inbound.save(db, mail, now=store.now_iso(), actor="tester").outgoing
    live(store, paris(2026, 3, 29, 12))
    assert steps(store, ids[0])["welcome"]["status"] == welcome


def stray_copy(store: Store, sender: str) -> int:
    """A copy of our mail stored as received, as sync did before it knew the address was ours."""
    with store.write() as db:
        return inbound.save(db, parse(copy(sender, "nobody@else.example", "<stray-copy@x>")),
                            now=store.now_iso(), actor="tester").row_id


def test_attach_turns_a_copy_of_our_mail_into_mail_sent_to_them(db_path: Path, store: Store,
                                                                smtp_login: str) -> None:
    ana = add_influencer(store, "ana")
    stray = stray_copy(store, smtp_login)
    assert row(store, "<stray-copy@x>")["direction"] == "in"
    assert run(db_path, "attach", str(stray), "ana").exit_code == 0
    assert row(store, "<stray-copy@x>") == {
        "handle": "ana", "direction": "out", "kind": "manual", "status": "sent", "is_read": 1,
        "sent_at": "2026-11-23T09:00:00+00:00"}
    [entry] = [e for e in run_json(db_path, "history", "ana") if e["entry"] == "message"]
    assert (entry["direction"], entry["status"]) == ("out", "sent")
    assert run_json(db_path, "inbox", "--unread") == []
    assert not inbox.replied_since(store.reader(), ana, SINCE) and replied(store) == set()


async def test_the_u_picker_attaches_a_copy_of_our_mail_as_sent(store: Store, smtp_login: str) -> None:
    campaign = add_campaign(store)
    send(store, add_influencer(store, "ana"), campaign_id=campaign)
    stray = stray_copy(store, smtp_login)
    app = make_app(store)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("2")
        listing = app.screen.query_one(ConversationList)
        await wait_for(pilot, lambda: len(listing.rows) == 1)
        await pilot.press("u")
        await wait_for(pilot, lambda: isinstance(app.screen, PickModal))
        await pilot.press("enter")
        owner = "SELECT influencer_id, direction, is_read FROM messages WHERE id = ?"
        await wait_for(pilot, lambda: store.writer.execute(owner, (stray,)).fetchone() == (1, "out", 1))
        await wait_for(pilot, lambda: listing.rows[0].unread == 0 and listing.rows[0].total == 2)
