"""The inbox from the command line: sync, inbox, history, reply, compose, bulk, bounces, attach."""

from __future__ import annotations

import imaplib
import json
from pathlib import Path

import pytest

from store.db import Store
from tests.cli_helpers import assert_user_error, run, run_json
from tests.dovecot import ImapAccount
from tests.inbox_helpers import SENDER, add_campaign, add_influencer, dsn_mail, raw_mail, send

pytest_plugins = ["tests.conftest_dovecot"]


def append(account: ImapAccount, *messages: bytes) -> None:
    conn = imaplib.IMAP4(account.server.host, account.server.port)
    conn.login(account.login, account.password)
    for raw in messages:
        conn.append("INBOX", None, None, raw)
    conn.logout()


@pytest.fixture
def seeded(store: Store) -> dict[str, str]:
    """ana and bo were invited in spring26; returns the Message-IDs we sent."""
    campaign = add_campaign(store, "spring26")
    return {handle: send(store, add_influencer(store, handle), subject=f"Casting for {handle}",
                         campaign_id=campaign)
            for handle in ("ana", "bo")}


def test_sync_json_then_inbox_and_history(db_path: Path, seeded: dict[str, str],
                                          imap_account: ImapAccount, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CALLSHEET_NOW", "2026-11-23T11:00:00+00:00")
    append(imap_account,
           raw_mail("ana@mail.example", subject="Re: Casting for ana", message_id="<a1@mail.example>",
                    in_reply_to=seeded["ana"], date="2026-11-23T10:30:00+00:00"),
           raw_mail("nobody@else.example", message_id="<n1@else.example>"),
           dsn_mail("bo@mail.example", seeded["bo"]))
    report = run_json(db_path, "sync")
    assert {k: report[k] for k in ("fetched", "matched", "unmatched", "bounces")} == {
        "fetched": 3, "matched": 1, "unmatched": 1, "bounces": 1}
    assert run_json(db_path, "sync")["fetched"] == 0

    inbox = run_json(db_path, "inbox")
    # Both unread; ana wrote at 10:30, the bounce about bo is dated 09:30.
    assert [(row["handle"], row["unread"]) for row in inbox] == [("ana", 1), ("bo", 1)]
    assert set(inbox[0]) >= {"handle", "unread", "last_at"}
    assert [row["handle"] for row in run_json(db_path, "inbox", "--unread")] == ["ana", "bo"]

    history = run_json(db_path, "history", "ana")
    assert [(e["direction"], e["kind"], e["subject"], e["status"]) for e in history] == [
        ("out", "invitation", "Casting for ana", "sent"), ("in", "reply", "Re: Casting for ana", None)]
    assert {"at", "direction", "kind", "subject", "status"} <= set(history[0])

    bounced = run_json(db_path, "bounces")
    assert [row["handle"] for row in bounced] == ["bo"]
    shown = run(db_path, "bounces", "show", "bo")
    assert "5.1.1" in shown.stdout and "Final-Recipient" in shown.stdout
    assert "multipart/report" in run(db_path, "bounces", "show", "bo", "--raw").stdout
    cleared = run(db_path, "bounces", "clear", "bo")
    assert cleared.exit_code == 0 and "can be emailed again" in cleared.stdout
    assert run_json(db_path, "bounces") == []

    [stray] = run_json(db_path, "unmatched")
    assert stray["from_addr"] == "nobody@else.example"
    assert run(db_path, "attach", str(stray["id"]), "ana").exit_code == 0
    assert run_json(db_path, "unmatched") == []
    assert [e["kind"] for e in run_json(db_path, "history", "ana")][-1] == "message.attached"


def test_sync_without_configuration_is_one_sentence(db_path: Path, store: Store) -> None:
    assert_user_error(run(db_path, "sync"), "IMAP is not configured")


def test_sync_refuses_plain_imap_off_loopback(db_path: Path, store: Store,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CALLSHEET_IMAP_URL", "imap://ana@mail.brand.example?tls=none")
    monkeypatch.setenv("CALLSHEET_IMAP_PASSWORD", "pw")
    assert_user_error(run(db_path, "sync"), "only allowed on loopback")


def test_reply_is_threaded_and_queued(db_path: Path, store: Store, seeded: dict[str, str],
                                      tmp_path: Path) -> None:
    from mailer.imap.parse import parse
    from store import inbound

    reply = raw_mail("ana@mail.example", subject="Re: Casting for ana", body="Which dates?",
                     message_id="<q1@mail.example>", in_reply_to=seeded["ana"], references=seeded["ana"])
    with store.write() as db:
        inbound.save(db, parse(reply), now=store.now_iso(), actor="tester")
    body = tmp_path / "reply.txt"
    body.write_text("The shoot is on the 3rd.\n")
    result = run(db_path, "reply", "ana", "--body-file", str(body))
    assert result.exit_code == 0, result.output
    row = store.writer.execute(
        """SELECT kind, status, to_addr, from_addr, subject, body, in_reply_to, refs, campaign_id
           FROM messages WHERE direction = 'out' ORDER BY id DESC LIMIT 1""").fetchone()
    kind, status, to_addr, from_addr, subject, text, in_reply_to, refs, campaign = row
    assert (kind, status, to_addr, from_addr, subject) == (
        "manual", "queued", "ana@mail.example", SENDER, "Re: Casting for ana")
    assert in_reply_to == "<q1@mail.example>" and refs == f"{seeded['ana']} <q1@mail.example>"
    assert text.startswith("The shoot is on the 3rd.") and "> Which dates?" in text
    assert campaign is not None


def test_compose_needs_a_from_address(db_path: Path, store: Store, tmp_path: Path) -> None:
    add_influencer(store, "cy")
    body = tmp_path / "b.txt"
    body.write_text("Hello")
    assert_user_error(run(db_path, "compose", "cy", "--subject", "Hi", "--body-file", str(body)),
                      "No from-address")
    added = run(db_path, "operator", "add", "tester", "--role", "manager", "--from", "me@brand.example")
    assert added.exit_code == 0
    done = run(db_path, "compose", "cy", "--subject", "Hi", "--body-file", str(body))
    assert done.exit_code == 0 and "Queued a message to cy" in done.stdout


def test_bulk_asks_with_the_count_and_queues_all_or_nothing(db_path: Path, store: Store,
                                                            tmp_path: Path) -> None:
    for handle in ("ana", "bo", "cy"):
        add_influencer(store, handle)
    add_influencer(store, "noemail", email="")
    add_campaign(store, "spring26")
    body = tmp_path / "b.txt"
    body.write_text("News about the campaign")
    args = ("bulk", "ana", "bo", "cy", "noemail", "--subject", "News", "--body-file", str(body),
            "--campaign", "spring26")
    declined = run(db_path, *args, input="n\n")
    assert declined.exit_code == 1 and "Queue 3 messages?" in declined.stdout
    assert "Cannot email noemail" in declined.stdout
    count = "SELECT count(*) FROM messages WHERE kind = 'bulk'"
    assert store.writer.execute(count).fetchone()[0] == 0
    accepted = run(db_path, *args, input="y\n")
    assert accepted.exit_code == 0 and "Queued 3 messages." in accepted.stdout
    assert store.writer.execute(count).fetchone()[0] == 3


def test_note_mark_and_bookmark(db_path: Path, store: Store, seeded: dict[str, str]) -> None:
    assert run(db_path, "note", "ana", "Prefers video calls").exit_code == 0
    assert [e["subject"] for e in run_json(db_path, "history", "ana") if e["entry"] == "note"] == [
        "Prefers video calls"]
    assert run(db_path, "bookmark", "bo").exit_code == 0
    assert [r["handle"] for r in run_json(db_path, "inbox", "--bookmarked")] == ["bo"]


def test_mark_unread_works_on_a_conversation_of_our_mail_alone(db_path: Path, store: Store,
                                                               seeded: dict[str, str]) -> None:
    marked = run(db_path, "mark", "ana", "--unread")
    assert marked.exit_code == 0 and "Marked the conversation with ana unread." in marked.stdout
    assert [(r["handle"], r["unread"]) for r in run_json(db_path, "inbox", "--unread")] == [("ana", 1)]
    unread = "SELECT direction, subject FROM messages WHERE is_read = 0"
    assert store.writer.execute(unread).fetchall() == [("out", "Casting for ana")]
    read = run(db_path, "mark", "ana")
    assert read.exit_code == 0 and "Marked 1 message from ana read." in read.stdout
    assert run_json(db_path, "inbox", "--unread") == []
    add_influencer(store, "cy")
    assert_user_error(run(db_path, "mark", "cy", "--unread"), "no conversation with them")


def test_unknown_handles_and_campaigns_are_one_sentence(db_path: Path, seeded: dict[str, str]) -> None:
    assert_user_error(run(db_path, "history", "nobody"), "no influencer with the handle")
    assert_user_error(run(db_path, "history", "ana", "--campaign", "nope"), "no campaign named")
    assert_user_error(run(db_path, "attach", "999", "ana"), "no message #999")
    assert_user_error(run(db_path, "inbox", "--search", "*"), "at least one word")


def test_inbox_search_json(db_path: Path, seeded: dict[str, str]) -> None:
    found = run(db_path, "inbox", "--search", "casting for bo", "--json")
    assert [row["handle"] for row in json.loads(found.stdout)] == ["bo"]


def test_bulk_text_is_a_template_per_recipient(db_path: Path, store: Store, tmp_path: Path) -> None:
    for handle in ("ana", "bo"):
        add_influencer(store, handle)
    add_campaign(store, "spring26")
    body = tmp_path / "b.txt"
    body.write_text("Hi {{ firstName }}, news about {{ campaign.name }}.")
    done = run(db_path, "bulk", "ana", "bo", "--subject", "For {{ handle }}", "--body-file", str(body),
               "--campaign", "spring26", "--yes")
    assert done.exit_code == 0, done.output
    bulk_rows = "SELECT subject, body FROM messages WHERE kind = 'bulk' ORDER BY id"
    rows = store.writer.execute(bulk_rows).fetchall()
    assert rows == [("For ana", "Hi Ana, news about spring26."), ("For bo", "Hi Bo, news about spring26.")]
    body.write_text("Hi {{ fistName }}")
    refused = run(db_path, "bulk", "ana", "--subject", "x", "--body-file", str(body), "--yes")
    assert_user_error(refused, "Nobody in the selection can be emailed")
    assert "fistName" in refused.stdout
    assert store.writer.execute("SELECT count(*) FROM messages WHERE kind = 'bulk'").fetchone()[0] == 2
