"""Unsubscribe requests: recognised by reply sync (real Dovecot), honoured by dispatch (real aiosmtpd)."""

from __future__ import annotations

import json
import re
from urllib.parse import unquote

import pytest

from mailer.dispatch.dispatcher import Dispatcher
from mailer.imap.sync import sync
from store import inbox
from store.db import Store
from tests.dispatch_helpers import make_config, start_sink, stop_sink, write_config
from tests.dovecot import ImapAccount
from tests.inbox_helpers import SENDER, add_campaign, add_influencer, raw_mail, send
from tests.test_inbox_sync import append

pytest_plugins = ["tests.conftest_dovecot"]

MAILTO = "unsubscribe@brand.example"
UNSUBSCRIBE = {"unsubscribe_url": "https://brand.example/unsubscribe", "unsubscribe_mailto": MAILTO}


def queue_to(store: Store, *handles: str, subject: str = "Casting call") -> dict[str, int]:
    """One queued message to each influencer; returns their row ids."""
    from store.outbox.queueing import enqueue

    rows = {}
    with store.write() as db:
        for handle in handles:
            person, email = db.execute("SELECT id, email FROM influencers WHERE handle = ?",
                                       (handle,)).fetchone()
            rows[handle], _ = enqueue(db, now=store.now_iso(), kind="manual", to_addr=email,
                                      from_addr=SENDER, subject=f"{subject} for {handle}", body="Hello!\n",
                                      influencer_id=person)
    return rows


def flags(store: Store, handle: str) -> tuple[int, int]:
    return store.writer.execute("SELECT id, unsubscribed FROM influencers WHERE handle = ?",
                                (handle,)).fetchone()


def inbound(store: Store) -> dict[str, tuple]:
    """Received mail by Message-ID: (handle, kind, is_read)."""
    rows = store.writer.execute(
        """SELECT m.message_id, i.handle, m.kind, m.is_read FROM messages m
           LEFT JOIN influencers i ON i.id = m.influencer_id WHERE m.direction = 'in'""").fetchall()
    return {row[0]: tuple(row[1:]) for row in rows}


def audit_events(store: Store, action: str) -> list[dict]:
    rows = store.writer.execute(
        "SELECT entity_id, actor, detail FROM audit_events WHERE action = ? ORDER BY id",
        (action,)).fetchall()
    return [{"influencer": row[0], "actor": row[1], **json.loads(row[2])} for row in rows]


def client_request(list_unsubscribe: str, sender: str, message_id: str) -> bytes:
    """The mail a client writes when its user follows the mailto of a List-Unsubscribe header."""
    mailto = re.search(r"<mailto:([^?>]+)\?subject=([^>]+)>", list_unsubscribe)
    assert mailto is not None, list_unsubscribe
    to_addr, subject = mailto.group(1), unquote(mailto.group(2))
    text = (f"From: {sender}\r\nTo: {to_addr}\r\nSubject: {subject}\r\n"
            f"Date: Mon, 23 Nov 2026 09:40:00 +0000\r\nMessage-ID: {message_id}\r\n"
            "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
            "This message was automatically generated.\r\n")
    return text.encode()


async def test_a_mailto_request_unsubscribes_and_dispatch_then_skips_them(
        store: Store, imap_account: ImapAccount) -> None:
    """The whole loop: our header, the client's request through Dovecot, sync, a later dispatch."""
    write_config(f'[dispatch]\nunsubscribe_mailto = "{MAILTO}"\n')
    ana, bo = add_influencer(store, "ana"), add_influencer(store, "bo")
    first = queue_to(store, "ana", "bo")
    sink = await start_sink()
    try:
        config = make_config(sink.port, **UNSUBSCRIBE)
        assert (await Dispatcher(store, config).run_until_empty()).sent == 2
        [to_ana] = [item for item in sink.received if item.rcpt_tos == ["ana@mail.example"]]
        header = str(to_ana.message["List-Unsubscribe"])
        token = to_ana.message_id.strip("<>").split("@")[0]
        assert f"<mailto:{MAILTO}?subject=unsubscribe%20{token}>" in header
        # Queued before her request arrives: only the dispatcher's claim can still hold it back.
        later = queue_to(store, "ana", "bo", subject="Reminder")

        # Sent from another address of hers: only the token in the subject names her.
        append(imap_account,
               client_request(header, "ana.private@else.example", "<unsub-1@else.example>"),
               raw_mail("bo@mail.example", subject="Re: Casting call for bo",
                        message_id="<bo-1@mail.example>",
                        body="Sounds good. Also, please unsubscribe me from the newsletter."))
        report = sync(store)
        assert (report.fetched, report.unsubscribes, report.matched, report.unmatched) == (2, 1, 1, 0)
        assert flags(store, "ana") == (ana, 1) and flags(store, "bo") == (bo, 0)
        received = inbound(store)
        assert received["<unsub-1@else.example>"] == ("ana", "unsubscribe", 1)
        assert received["<bo-1@mail.example>"] == ("bo", "reply", 0)
        [event] = audit_events(store, "influencer.unsubscribe")
        assert event["influencer"] == ana and event["message_id"] == "<unsub-1@else.example>"
        assert event["source"] == "mail"
        # The request is in her history but is not a reply: it stops no follow-up.
        since = "2026-11-23T00:00:00+00:00"
        assert not inbox.replied_since(store.reader(), ana, since)
        assert inbox.replied_since(store.reader(), bo, since)

        sink.received.clear()
        result = await Dispatcher(store, config).run_until_empty()
    finally:
        await stop_sink(sink)
    assert (result.sent, result.skipped) == (1, 1)
    assert [item.rcpt_tos for item in sink.received] == [["bo@mail.example"]]
    status = dict(store.writer.execute("SELECT id, status FROM messages WHERE id IN (?, ?)",
                                       (later["ana"], later["bo"])).fetchall())
    assert status == {later["ana"]: "skipped", later["bo"]: "sent"}
    assert first["ana"] != later["ana"]


def test_subject_requests_need_someone_we_know(store: Store, imap_account: ImapAccount) -> None:
    """Subject 'unsubscribe': from a known address or in a thread it counts; from a stranger it waits."""
    campaign = add_campaign(store)
    cy, di = add_influencer(store, "cy"), add_influencer(store, "di")
    add_influencer(store, "ed")
    sent_to_di = send(store, di, campaign_id=campaign)
    append(imap_account,
           raw_mail("CY@Mail.Example", subject="UNSUBSCRIBE", message_id="<cy-1@mail.example>"),
           raw_mail("di.pr@agency.example", subject="Unsubscribe", message_id="<di-1@agency.example>",
                    in_reply_to=sent_to_di, references=sent_to_di),
           raw_mail("stranger@else.example", subject="unsubscribe", message_id="<s-1@else.example>"),
           # Mail to the unsubscribe address that names nobody: kept aside for the operator.
           raw_mail("ghost@else.example", subject="Please remove me", message_id="<g-1@else.example>",
                    ).replace(b"To: casting@brand.example", f"To: {MAILTO}".encode()),
           raw_mail("ed@mail.example", subject="Unsubscribe? Not yet!", message_id="<ed-1@mail.example>"))
    report = sync(store, unsubscribe_to=MAILTO)
    assert (report.fetched, report.unsubscribes, report.matched, report.unmatched) == (5, 2, 1, 2)
    assert flags(store, "cy")[1] == 1 and flags(store, "di")[1] == 1 and flags(store, "ed")[1] == 0
    received = inbound(store)
    assert received["<cy-1@mail.example>"] == ("cy", "unsubscribe", 1)
    assert received["<di-1@agency.example>"] == ("di", "unsubscribe", 1)
    assert received["<s-1@else.example>"] == (None, "reply", 0)
    assert received["<g-1@else.example>"] == (None, "unsubscribe", 0)
    assert received["<ed-1@mail.example>"] == ("ed", "reply", 0)
    events = audit_events(store, "influencer.unsubscribe")
    assert [(e["influencer"], e["message_id"]) for e in events] == [
        (cy, "<cy-1@mail.example>"), (di, "<di-1@agency.example>")]
    di_event = store.writer.execute(
        "SELECT campaign_id FROM audit_events WHERE action = 'influencer.unsubscribe' AND entity_id = ?",
        (di,)).fetchone()
    assert di_event == (campaign,)


def test_a_second_request_is_stored_but_audited_once(store: Store, imap_account: ImapAccount) -> None:
    add_influencer(store, "ana")
    append(imap_account, raw_mail("ana@mail.example", subject="unsubscribe", message_id="<u1@mail.example>"),
           raw_mail("ana@mail.example", subject="unsubscribe", message_id="<u2@mail.example>"))
    assert sync(store).unsubscribes == 2
    assert len(audit_events(store, "influencer.unsubscribe")) == 1
    assert [v[1] for v in inbound(store).values()] == ["unsubscribe", "unsubscribe"]


def test_an_unsubscribe_address_we_send_from_is_never_a_request(store: Store,
                                                                imap_account: ImapAccount) -> None:
    """A misconfigured unsubscribe_mailto equal to the sender must not turn every reply into one."""
    add_campaign(store)
    ana = add_influencer(store, "ana")
    append(imap_account, raw_mail("ana@mail.example", subject="Re: Our casting call",
                                  message_id="<r1@mail.example>"))
    report = sync(store, unsubscribe_to=SENDER)
    assert (report.unsubscribes, report.matched) == (0, 1)
    assert flags(store, "ana") == (ana, 0)


@pytest.mark.parametrize(("subject", "expected"), [
    ("unsubscribe", (True, None)),
    ("  Unsubscribe 0123abcd  ", (True, "0123abcd")),
    ("UNSUBSCRIBE: spring26", (True, "spring26")),
    ("unsubscribe Summer casting 2027", (True, None)),
    ("Re: unsubscribe", (False, None)),
    ("unsubscribed", (False, None)),
    ("Please unsubscribe me", (False, None)),
])
def test_unsubscribe_subjects(subject: str, expected: tuple) -> None:
    from mailer.imap.parse import unsubscribe_subject

    assert unsubscribe_subject(subject) == expected
