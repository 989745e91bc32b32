"""The operator's own sent mail, synced from a Sent folder (or found in INBOX by Bcc) on a real Dovecot."""

from __future__ import annotations

import imaplib
from dataclasses import replace
from pathlib import Path

import pytest

from mailer.dispatch.dispatcher import Dispatcher
from mailer.imap import config, folders
from mailer.imap.parse import parse
from mailer.imap.sync import sync
from store import imap_state, inbox, operators
from store.db import Store
from store.query.parser import parse_query
from tests.cli_helpers import assert_user_error, run, run_json
from tests.dispatch_helpers import make_config, start_sink, stop_sink, write_config
from tests.dovecot import ImapAccount
from tests.inbox_helpers import SENDER, add_campaign, add_influencer, raw_mail, send
from tests.outreach_helpers import accept
from tests.test_sequence import invited, live, paris, steps

pytest_plugins = ["tests.conftest_dovecot"]

OPERATOR = "lea@brand.example"


def append(account: ImapAccount, folder: str, *messages: bytes) -> None:
    """APPEND `messages` to `folder`, creating it first (as a mail client's Sent folder is)."""
    conn = imaplib.IMAP4(account.server.host, account.server.port)
    try:
        conn.login(account.login, account.password)
        wire = '"' + folders.encode(folder) + '"'
        if folder != "INBOX":
            conn.create(wire)  # NO when it exists already: fine
        for raw in messages:
            status, detail = conn.append(wire, None, None, raw)
            assert status == "OK", detail
    finally:
        conn.logout()


def written(sender: str, message_id: str, *, to: str, cc: str = "", date: str = "2026-11-23T09:00:00+00:00",
            **threading: str) -> bytes:
    """Mail the operator wrote in their own client or phone, as its Sent folder keeps it."""
    raw = raw_mail(sender, subject="Re: the shoot", body="See you Monday.", message_id=message_id,
                   date=date, **threading)
    recipients = f"To: {to}" + (f"\r\nCc: {cc}" if cc else "")
    return raw.replace(b"To: casting@brand.example", recipients.encode())


def settings(*names: str) -> config.ImapSettings:
    return replace(config.load(), folders=names)


def rows(store: Store, message_id: str) -> list[dict]:
    return [dict(r) for r in store.writer.query(
        """SELECT i.handle, m.direction, m.kind, m.status, m.is_read, m.campaign_id FROM messages m
           LEFT JOIN influencers i ON i.id = m.influencer_id WHERE m.message_id = ?""", [message_id])]


def replied(store: Store, term: str = "replied:yes") -> set[str]:
    where, params = parse_query(term).to_sql(store.clock.now())
    return {r[0] for r in store.reader().execute(f"SELECT handle FROM influencers i WHERE {where}", params)}


def invitation_id(store: Store, influencer_id: int) -> str:
    query = "SELECT message_id FROM messages WHERE influencer_id = ? AND kind = 'invitation'"
    return store.writer.execute(query, (influencer_id,)).fetchone()[0]


def test_phone_replies_in_sent_are_outgoing_and_stop_the_welcome_if_ongoing(
        store: Store, imap_account: ImapAccount) -> None:
    campaign, ids = invited(store)
    store.clock.pinned = paris(2026, 3, 28, 10)
    for influencer in ids:
        accept(store, campaign, influencer, store.clock.now())
    at = "2026-03-28T10:30:00+00:00"  # 11:30 in Paris, after the accept
    append(imap_account, "Sent",
           # Threaded by References alone, written to their manager: person0's thread says whose it is.
           written(SENDER, "<phone-1@brand.example>", to="manager@agency.example", date=at,
                   references=invitation_id(store, ids[0])),
           # No thread headers: person1 is only in Cc.
           written(SENDER, "<phone-2@brand.example>", to="Agent <agent@agency.example>",
                   cc="P1 <PERSON1@mail.example>", date=at),
           # Our vacation responder answered person2: nobody wrote to them.
           written(SENDER, "<away@brand.example>", to="person2@mail.example", date=at,
                   in_reply_to=invitation_id(store, ids[2]), extra="Auto-Submitted: auto-replied"))
    store.clock.pinned = paris(2026, 3, 28, 12)
    report = sync(store, settings("INBOX", "Sent"))
    assert (report.fetched, report.outgoing, report.matched, report.unmatched) == (3, 2, 0, 0)
    assert report.outgoing_skipped == 1 and rows(store, "<away@brand.example>") == []
    assert rows(store, "<phone-1@brand.example>") == [{
        "handle": "person0", "direction": "out", "kind": "manual", "status": "sent", "is_read": 1,
        "campaign_id": campaign.id}]
    assert rows(store, "<phone-2@brand.example>")[0]["handle"] == "person1"
    assert inbox.replies_since(store.reader(), 0)[1] == [] and replied(store) == set()
    live(store, paris(2026, 3, 29, 12))
    for stopped in ids[:2]:
        welcome = steps(store, stopped)["welcome"]
        assert welcome["status"] == "skipped" and "stopped_ongoing" in welcome["flags"]
    assert steps(store, ids[2])["welcome"]["status"] == "sent"  # only a machine wrote to person2


def test_the_same_copy_in_inbox_and_sent_synced_twice_is_stored_once(store: Store,
                                                                     imap_account: ImapAccount) -> None:
    ana = add_influencer(store, "ana")
    send(store, ana, campaign_id=add_campaign(store))
    copy = written(SENDER, "<bcc-me@brand.example>", to="ana@mail.example")
    append(imap_account, "Sent", copy)
    append(imap_account, "INBOX", copy)  # the operator Bcc'd the team mailbox
    first = sync(store, settings("INBOX", "Sent"))
    again = sync(store, settings("INBOX", "Sent"))
    assert (first.fetched, first.outgoing, first.duplicates, again.fetched) == (2, 1, 1, 0)
    assert [r["handle"] for r in rows(store, "<bcc-me@brand.example>")] == ["ana"]


async def test_mail_callsheet_sent_itself_is_not_stored_again_from_sent(store: Store,
                                                                        imap_account: ImapAccount) -> None:
    ana = add_influencer(store, "ana")
    message_id = send(store, ana, campaign_id=add_campaign(store), status="queued")
    sink = await start_sink()
    try:
        report = await Dispatcher(store, make_config(sink.port)).run_until_empty()
    finally:
        await stop_sink(sink)
    assert report.sent == 1 and sink.message_ids() == [message_id]
    append(imap_account, "Sent", sink.received[0].raw)  # as a provider files what its SMTP took
    synced = sync(store, settings("INBOX", "Sent"))
    assert (synced.fetched, synced.duplicates, synced.outgoing) == (1, 1, 0)
    assert rows(store, message_id) == [{"handle": "ana", "direction": "out", "kind": "invitation",
                                        "status": "sent", "is_read": 1, "campaign_id": 1}]


def test_own_mail_in_inbox_is_never_a_reply(store: Store, imap_account: ImapAccount) -> None:
    campaign = add_campaign(store)
    ana, bo = add_influencer(store, "ana"), add_influencer(store, "bo")
    sent = {"ana": send(store, ana, campaign_id=campaign), "bo": send(store, bo, campaign_id=campaign)}
    with store.write() as db:
        operators.add(db, "lea", "evaluator", OPERATOR, "Lea", store.now_iso())
    mark = inbox.replies_since(store.reader(), None)[0]
    append(imap_account, "INBOX",
           written(f"Lea <{OPERATOR}>", "<lea-1@brand.example>", to="ana@mail.example",
                   in_reply_to=sent["ana"]),
           raw_mail("bo@mail.example", message_id="<bo-yes@mail.example>", in_reply_to=sent["bo"]))
    report = sync(store)
    assert (report.outgoing, report.matched) == (1, 1)
    assert rows(store, "<lea-1@brand.example>")[0]["direction"] == "out"
    assert replied(store) == {"bo"} and replied(store, "replied:no") == {"ana"}
    assert inbox.replies_since(store.reader(), mark)[1] == ["bo"]  # the notification names bo only
    assert not inbox.has_unread(store.reader(), ana) and inbox.has_unread(store.reader(), bo)


def test_our_own_delivery_report_lookalike_is_no_bounce(store: Store, imap_account: ImapAccount) -> None:
    """A multipart/report from our own address (a forwarded report, a test) is mail we wrote."""
    ana = add_influencer(store, "ana")
    send(store, ana, campaign_id=add_campaign(store))
    report_mail = raw_mail(SENDER, message_id="<our-report@brand.example>").replace(
        b"Content-Type: text/plain; charset=utf-8",
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="B"').replace(
        b"\r\n\r\nYes, I'm in!\r\n",
        b"\r\n\r\n--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; x\r\n\r\n"
        b"Final-Recipient: rfc822; ana@mail.example\r\nAction: failed\r\nStatus: 5.1.1\r\n--B--\r\n")
    append(imap_account, "Sent", report_mail.replace(b"To: casting@brand.example", b"To: ana@mail.example"))
    report = sync(store, settings("Sent"))
    assert (report.bounces, report.outgoing) == (0, 1)
    assert store.writer.execute("SELECT bounced FROM influencers WHERE id = ?", (ana,)).fetchone() == (0,)


def test_each_folder_keeps_its_place_when_one_is_added(db_path: Path, store: Store,
                                                       imap_account: ImapAccount) -> None:
    ana = add_influencer(store, "ana")
    invitation = send(store, ana, campaign_id=add_campaign(store))
    url = f'[imap]\nurl = "{imap_account.url}"\n'
    append(imap_account, "INBOX", raw_mail("ana@mail.example", message_id="<r1@mail.example>",
                                           in_reply_to=invitation))
    append(imap_account, "Sent", written(SENDER, "<s1@brand.example>", to="ana@mail.example"))
    write_config(url)  # the default: INBOX only
    assert run_json(db_path, "sync")["fetched"] == 1
    append(imap_account, "INBOX", raw_mail("ana@mail.example", message_id="<r2@mail.example>"))
    write_config(url + 'folders = ["INBOX", "Sent"]\n')
    added = run_json(db_path, "sync")
    assert (added["fetched"], added["matched"], added["outgoing"], added["duplicates"]) == (2, 1, 1, 0)
    assert [(f["folder"], f["last_uid"]) for f in imap_state.folders(store.reader())] == [
        ("INBOX", 2), ("Sent", 1)]
    assert run_json(db_path, "sync")["fetched"] == 0
    counts = store.writer.execute("SELECT direction, count(*) FROM messages GROUP BY direction").fetchall()
    assert dict(counts) == {"in": 2, "out": 2}


def test_a_folder_with_a_french_name_is_read(store: Store, imap_account: ImapAccount) -> None:
    send(store, add_influencer(store, "ana"), campaign_id=add_campaign(store))
    append(imap_account, "Éléments envoyés", written(SENDER, "<fr@brand.example>", to="ana@mail.example"))
    assert sync(store, settings("Éléments envoyés")).outgoing == 1
    assert [f["folder"] for f in imap_state.folders(store.reader())] == ["Éléments envoyés"]


def test_a_missing_folder_is_named_and_the_others_still_sync(db_path: Path, store: Store,
                                                            imap_account: ImapAccount) -> None:
    invitation = send(store, add_influencer(store, "ana"), campaign_id=add_campaign(store))
    append(imap_account, "Sent Items", written(SENDER, "<si@brand.example>", to="ana@mail.example"))
    append(imap_account, "INBOX", raw_mail("ana@mail.example", message_id="<r@mail.example>",
                                           in_reply_to=invitation))
    write_config(f'[imap]\nurl = "{imap_account.url}"\nfolders = ["INBOX", "Sent", "Sent Items"]\n')
    result = run(db_path, "sync")
    assert_user_error(result, 'The IMAP server has no folder "Sent" (it has INBOX, Sent Items): '
                              "check folders in [imap]; INBOX, Sent Items synced.")
    assert rows(store, "<r@mail.example>")[0]["direction"] == "in"
    assert rows(store, "<si@brand.example>")[0]["direction"] == "out"
    assert imap_state.last_sync(store.reader()) is not None


@pytest.mark.parametrize(("folders_value", "sentence"), [
    ("[]", "[imap] folders must be a list of folder names, e.g. folders = [\"INBOX\", \"Sent\"]."),
    ('"Sent"', "[imap] folders must be a list of folder names"),
    ('["INBOX", ""]',
     "[imap] folders must hold folder names, e.g. [\"INBOX\", \"Sent\"]; an empty name is not one."),
    ('["INBOX", 3]', "3 is not one."),
    ('["INBOX", "Se\\nnt"]', "a name with a control character is not one."),
    ('["Sent", "INBOX", "Sent"]', "[imap] folders names 'Sent' twice."),
    ('["INBOX", "inbox"]', "[imap] folders names 'inbox' twice."),
])
@pytest.mark.parametrize("command", [("sync",), ("config", "show")])
def test_a_bad_folders_setting_is_one_sentence(db_path: Path, store: Store, imap_account: ImapAccount,
                                               folders_value: str, sentence: str,
                                               command: tuple[str, ...]) -> None:
    append(imap_account, "INBOX", raw_mail("ana@mail.example", message_id="<r@mail.example>"))
    write_config(f'[imap]\nurl = "{imap_account.url}"\nfolders = {folders_value}\n')
    assert_user_error(run(db_path, *command), sentence)
    assert store.writer.execute("SELECT count(*) FROM messages").fetchone() == (0,)
    assert imap_state.folders(store.reader()) == []


def test_modified_utf7_names_both_ways() -> None:
    """RFC 3501 §5.1.3's own example, a French Outlook folder, and the escaped ampersand."""
    assert folders.decode("~peter/mail/&U,BTFw-/&ZeVnLIqe-") == "~peter/mail/台北/日本語"
    assert folders.encode("~peter/mail/台北/日本語") == "~peter/mail/&U,BTFw-/&ZeVnLIqe-"
    assert folders.encode("Éléments envoyés") == "&AMk-l&AOk-ments envoy&AOk-s"
    assert folders.encode("R&D") == "R&-D" and folders.decode("R&-D") == "R&D"


def test_a_phone_copy_dated_in_the_future_is_placed_now(store: Store, imap_account: ImapAccount) -> None:
    """A phone with a wrong clock must not make "the sender wrote" hold for every later accept."""
    send(store, add_influencer(store, "ana"), campaign_id=add_campaign(store))
    append(imap_account, "Sent", written(SENDER, "<later@brand.example>", to="ana@mail.example",
                                         date="2030-01-01T00:00:00+00:00"))
    assert sync(store, settings("Sent")).outgoing == 1
    placed = "SELECT direction, created_at, sent_at FROM messages WHERE message_id = ?"
    assert store.writer.execute(placed, ["<later@brand.example>"]).fetchone() == (
        "out", store.now_iso(), store.now_iso())


def test_an_answer_to_a_stranger_is_kept_aside_with_it_and_private_mail_is_not_kept(
        db_path: Path, store: Store, imap_account: ImapAccount) -> None:
    send(store, add_influencer(store, "ana"), campaign_id=add_campaign(store))
    append(imap_account, "INBOX", raw_mail("ana.new@else.example", message_id="<new-address@else.example>"))
    append(imap_account, "Sent",
           written(SENDER, "<answer@brand.example>", to="ana.new@else.example",
                   in_reply_to="<new-address@else.example>"),
           written(SENDER, "<bank@brand.example>", to="advisor@bank.example"))
    report = sync(store, settings("INBOX", "Sent"))
    assert (report.unmatched, report.outgoing, report.outgoing_skipped) == (1, 1, 1)
    aside = {m["message_id"]: m["direction"] for m in inbox.unmatched(store.reader())}
    assert aside == {"<new-address@else.example>": "in", "<answer@brand.example>": "out"}
    answer = store.writer.execute("SELECT id FROM messages WHERE message_id = '<answer@brand.example>'"
                                  ).fetchone()[0]
    assert run(db_path, "attach", str(answer), "ana").exit_code == 0
    [attached] = rows(store, "<answer@brand.example>")
    assert (attached["handle"], attached["direction"], attached["status"]) == ("ana", "out", "sent")


def test_recipients_are_every_usable_to_and_cc_address_in_order() -> None:
    raw = written(SENDER, "<r@brand.example>", to='"Agent, Ana" <Agent@Agency.EXAMPLE>, not an address',
                  cc="ana@mail.example, agent@agency.example, =?utf-8?q?B=C3=B6?= <bo@mail.example>")
    assert parse(raw).recipients == ["Agent@agency.example", "ana@mail.example", "bo@mail.example"]
