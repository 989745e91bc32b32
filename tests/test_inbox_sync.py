"""R14: reply sync against a real Dovecot (replies, duplicates, UIDVALIDITY change, drops)."""

from __future__ import annotations

import imaplib
import shutil
import subprocess
from dataclasses import replace

import pytest

from mailer.imap import config
from mailer.imap import sync as sync_module
from mailer.imap.client import ImapError
from mailer.imap.sync import sync
from store import conversations, imap_state, inbox
from store.db import Store
from tests.dispatch_helpers import write_config
from tests.dovecot import ImapAccount
from tests.inbox_helpers import add_influencer, dsn_mail, raw_mail, send
from tests.tcp_proxy import DroppingProxy

pytest_plugins = ["tests.conftest_dovecot"]


def append(account: ImapAccount, *messages: bytes, folder: str = "INBOX") -> None:
    conn = imaplib.IMAP4(account.server.host, account.server.port)
    try:
        conn.login(account.login, account.password)
        for raw in messages:
            status, detail = conn.append(folder, None, None, raw)
            assert status == "OK", detail
    finally:
        conn.logout()


def uidvalidity(account: ImapAccount) -> int:
    conn = imaplib.IMAP4(account.server.host, account.server.port)
    try:
        conn.login(account.login, account.password)
        conn.select("INBOX", readonly=True)
        return int(conn.untagged_responses["UIDVALIDITY"][-1])
    finally:
        conn.logout()


def recreate_inbox(account: ImapAccount, *messages: bytes) -> None:
    """Delete the mailbox on disk, put the same mail back, and give it a new UIDVALIDITY."""
    old = uidvalidity(account)
    shutil.rmtree(account.server.root / "home" / account.login / "Maildir")
    append(account, *messages)
    # Dovecot derives UIDVALIDITY from the clock: within one second it could come back equal.
    subprocess.run(["doveadm", "-c", str(account.server.config_path), "mailbox", "update",
                    "-u", account.login, "--uid-validity", str(old + 7), "INBOX"], check=True)


def inbound_rows(store: Store) -> list[tuple]:
    return store.writer.execute(
        """SELECT i.handle, m.in_reply_to, m.kind FROM messages m LEFT JOIN influencers i
           ON i.id = m.influencer_id WHERE m.direction = 'in' ORDER BY m.message_id"""
    ).fetchall()


@pytest.fixture
def replies(store: Store) -> list[bytes]:
    """Five replies threaded to what we sent, one stranger, one duplicate Message-ID."""
    mail = []
    for n, handle in enumerate(("ana", "bo", "cy", "di", "ed")):
        influencer = add_influencer(store, handle)
        sent = send(store, influencer, subject=f"Casting {handle}")
        # The last two reply from another address of theirs: only the thread links them.
        sender = f"{handle}@mail.example" if n < 3 else f"{handle}.pr@agency.example"
        mail.append(raw_mail(sender, subject=f"Re: Casting {handle}", message_id=f"<reply-{n}@mail.example>",
                             in_reply_to=sent, references=sent))
    mail.append(raw_mail("stranger@else.example", message_id="<stranger@else.example>"))
    mail.append(raw_mail("ana@mail.example", body="sent again by a broken client",
                         message_id="<reply-0@mail.example>"))
    return mail


def test_r14_replies_duplicates_and_uidvalidity(store: Store, imap_account: ImapAccount,
                                                replies: list[bytes]) -> None:
    append(imap_account, *replies)
    first = sync(store)
    assert (first.fetched, first.matched, first.unmatched, first.duplicates) == (7, 5, 1, 1)
    rows = inbound_rows(store)
    assert [r[0] for r in rows] == ["ana", "bo", "cy", "di", "ed", None]
    assert all(r[1] for r in rows[:5]) and rows[5][1] is None
    for handle in ("ana", "bo", "cy", "di", "ed"):
        row = store.writer.execute("SELECT id FROM influencers WHERE handle = ?", (handle,)).fetchone()
        assert inbox.replied_since(store.reader(), row[0], "2026-11-23T00:00:00+00:00")

    # The same sync again: nothing new. `UID FETCH 8:*` still answers with UID 7 (the n:* gotcha).
    again = sync(store)
    assert (again.fetched, again.duplicates) == (0, 0)
    assert len(inbound_rows(store)) == 6

    # INBOX deleted and recreated with the same mail plus one new reply: a full rescan.
    newcomer = raw_mail("bo@mail.example", body="One more thing", message_id="<reply-new@mail.example>")
    recreate_inbox(imap_account, *replies, newcomer)
    rescan = sync(store)
    assert (rescan.fetched, rescan.duplicates, rescan.matched) == (8, 7, 1)
    assert len(inbound_rows(store)) == 7
    [state] = imap_state.folders(store.reader())
    assert state["uidvalidity"] == uidvalidity(imap_account) and state["last_uid"] == 8
    assert sync(store).fetched == 0


def test_unread_conversations_after_sync(store: Store, imap_account: ImapAccount,
                                         replies: list[bytes]) -> None:
    append(imap_account, *replies[:2])
    sync(store)
    page = conversations.page(store.reader(), now=store.now_iso())
    assert [(r.handle, r.unread) for r in page[:2]] == [("bo", 1), ("ana", 1)]
    assert {r.unread for r in page[2:]} == {0}


def test_bounce_malformed_and_huge_mail_do_not_stop_the_sync(store: Store, imap_account: ImapAccount,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from mailer.imap import client

    monkeypatch.setattr(client, "MAX_MESSAGE_BYTES", 50_000)
    write_config("[attachments]\nmax_message_bytes = 0\n")  # no room for attachments: whole up to 50 KB
    gone = add_influencer(store, "gone", email="gone@mail.example")
    sent = send(store, gone)
    huge = raw_mail("gone@mail.example", body="Portfolio attached\n" + "x" * 120_000,
                    message_id="<huge@mail.example>")
    garbage = (b"Subject: \xff\xfe broken\r\nFrom: <<<\r\nContent-Type: text/plain; charset=nope\r\n"
               b"\r\n\xe9\x80\r\n")
    append(imap_account, garbage, dsn_mail("gone@mail.example", sent), huge,
           raw_mail("gone@mail.example", message_id="<after@mail.example>"))
    report = sync(store)
    assert (report.fetched, report.bounces, report.duplicates) == (4, 1, 0)
    db = store.writer
    assert db.execute("SELECT bounced FROM influencers WHERE id = ?", (gone,)).fetchone()[0] == 1
    flags = dict(db.execute("SELECT message_id, flags FROM messages WHERE direction = 'in'").fetchall())
    assert "truncated" in flags["<huge@mail.example>"]
    assert "<after@mail.example>" in flags
    assert sum("no-message-id" in f for f in flags.values()) == 1


def test_dropped_connection_mid_fetch_resumes_without_duplicates(
        store: Store, imap_account: ImapAccount, replies: list[bytes],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sync_module, "BATCH_MESSAGES", 2)
    append(imap_account, *replies)
    server = imap_account.server
    proxy = DroppingProxy(server.host, server.port, drop_on=2).start()
    try:
        settings = replace(config.load(), port=proxy.listen_port)
        report = sync(store, settings)
    finally:
        proxy.stop()
    assert proxy.drops_left == 0  # the second batch really was cut mid-FETCH
    assert report.reconnects == 1
    assert (report.fetched, report.matched, report.unmatched, report.duplicates) == (7, 5, 1, 1)
    assert len(inbound_rows(store)) == 6
    assert sync(store).fetched == 0


def test_a_connection_that_keeps_dropping_keeps_the_progress(
        store: Store, imap_account: ImapAccount, replies: list[bytes],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sync_module, "BATCH_MESSAGES", 2)
    append(imap_account, *replies)
    server = imap_account.server
    proxy = DroppingProxy(server.host, server.port, drop_on=2, drops_left=99).start()
    try:
        settings = replace(config.load(), port=proxy.listen_port)
        with pytest.raises(ImapError, match="kept dropping"):
            sync(store, settings, attempts=2)
    finally:
        proxy.stop()
    assert imap_state.folders(store.reader())[0]["last_uid"] == 2
    rest = sync(store)
    assert rest.fetched == 5 and len(inbound_rows(store)) == 6


def test_wrong_password_is_one_sentence(store: Store, imap_account: ImapAccount,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CALLSHEET_IMAP_PASSWORD", "wrong")
    with pytest.raises(ImapError, match=f"refused the login for {imap_account.login}"):
        sync(store)
    assert imap_state.folders(store.reader()) == []


def test_missing_folder_is_one_sentence(store: Store, imap_account: ImapAccount) -> None:
    settings = replace(config.load(), folders=("Nope",))
    with pytest.raises(ImapError, match='no folder "Nope" \\(it has INBOX\\).*nothing was synced'):
        sync(store, settings)




def test_a_synced_reply_stops_the_followups(store: Store, imap_account: ImapAccount) -> None:
    """R14 end to end: the reply comes through Dovecot, threaded to the welcome, and the sequence stops."""
    from datetime import timedelta

    from tests.outreach_helpers import accept
    from tests.test_sequence import invited, live, paris, steps

    campaign, ids = invited(store, window="mon-fri 09:00-18:00", followups=[3, 7])
    store.clock.pinned = paris(2026, 3, 27, 12)
    for influencer in ids[:2]:
        accept(store, campaign, influencer, store.clock.now())
    live(store, paris(2026, 4, 3, 12), step=timedelta(hours=1))
    welcome = steps(store, ids[1])["welcome"]
    append(imap_account, raw_mail("person1@mail.example", subject=f"Re: {welcome['subject']}",
                                  message_id="<p1-reply@mail.example>", in_reply_to=welcome["message_id"],
                                  date="2026-04-03T10:00:00+00:00"))
    report = sync(store)
    assert (report.fetched, report.matched) == (1, 1)
    live(store, paris(2026, 4, 14), step=timedelta(hours=1))
    quiet, replied = steps(store, ids[0]), steps(store, ids[1])
    assert quiet["followup-2"]["status"] == "sent"
    assert replied["followup-2"]["status"] == "skipped" and "stopped_reply" in replied["followup-2"]["flags"]
