"""Outgoing attachments: `--attach` on compose, reply and bulk, through the real SMTP sink."""

from __future__ import annotations

import shutil
from email.message import EmailMessage
from pathlib import Path

import pytest

from mailer.dispatch.dispatcher import Dispatcher
from mailer.dispatch.prebuild import prepare_outbox
from store import attachment_files
from store.db import Store
from tests.cli_helpers import assert_user_error, run
from tests.dispatch_helpers import make_config, start_sink, write_config
from tests.inbox_helpers import add_campaign, add_influencer, send

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<</Type/Catalog>>endobj\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"
HANDLES = ("ana", "bo", "cy")


def _count(store: Store, sql: str) -> int:
    return int(store.reader().execute(sql).fetchone()[0])


def _structural_rules_hit(message: EmailMessage) -> list[str]:
    """The structural MIME rules of SpamAssassin's MIMEEval plugin that a part would fire, by the
    conditions that plugin states: a base64 text part not marked attachment/inline (MIME_BASE64_TEXT),
    a base64 part without a name (MIME_BASE64_NO_NAME), HTML alone (MIME_HTML_ONLY)."""
    hit = []
    for part in message.walk():
        if part.is_multipart():
            continue
        base64 = str(part.get("Content-Transfer-Encoding", "")).lower() == "base64"
        disposition = part.get_content_disposition() or ""
        if base64 and part.get_content_maintype() == "text" and disposition not in ("attachment", "inline"):
            hit.append("MIME_BASE64_TEXT")
        if base64 and not part.get_filename():
            hit.append("MIME_BASE64_NO_NAME")
    if message.get_content_type() == "text/html":
        hit.append("MIME_HTML_ONLY")
    return hit


def _files(message: EmailMessage) -> list[tuple[str | None, str, bytes]]:
    return [(part.get_filename(), part.get_content_type(), part.get_payload(decode=True))
            for part in message.iter_attachments()]


@pytest.fixture
def people(store: Store) -> Store:
    for handle in HANDLES:
        add_influencer(store, handle)
    add_campaign(store, "spring26")
    return store


async def test_a_bulk_mail_with_a_pdf_arrives_intact_in_every_copy(
        people: Store, db_path: Path, tmp_path: Path) -> None:
    body, brief = tmp_path / "body.txt", tmp_path / "Brief été.pdf"
    body.write_text("Hi {{ firstName }}, the brief is attached.")
    brief.write_bytes(PDF)
    done = run(db_path, "bulk", *HANDLES, "--subject", "The brief", "--body-file", str(body),
               "--campaign", "spring26", "--attach", str(brief), "--yes")
    assert done.exit_code == 0, done.output
    assert "Attached: Brief été.pdf (10 KB)" in done.stdout and "Queued 3 messages." in done.stdout
    # The file was read once: one stored copy, and every message links to it.
    assert _count(people, "SELECT count(*) FROM attachments") == 1
    assert _count(people, "SELECT count(DISTINCT attachment_id) FROM message_attachments") == 1
    assert _count(people, "SELECT count(*) FROM message_attachments") == 3
    brief.write_bytes(b"changed after queueing")  # what goes out is what was queued

    sink = await start_sink()
    config = make_config(sink.port)
    assert prepare_outbox(people, config) == 3
    # The prebuilt bytes carry the file: sending reads no file, not even the store's.
    shutil.rmtree(attachment_files.folder(people.reader()))
    await Dispatcher(people, config).run_until_empty()

    assert sorted(item.rcpt_tos[0] for item in sink.received) == [f"{h}@mail.example" for h in HANDLES]
    for item in sink.received:
        message = item.message
        assert message.get_content_type() == "multipart/mixed"
        text, attached = list(message.iter_parts())
        assert text.get_content_type() == "text/plain" and "the brief is attached" in text.get_content()
        assert attached.get_content_disposition() == "attachment"
        assert _files(message) == [("Brief été.pdf", "application/pdf", PDF)]
        assert b"filename*=utf-8''Brief%20%C3%A9t%C3%A9.pdf" in item.raw
        assert attached["MIME-Version"] is None


async def test_mail_with_a_file_keeps_every_header_plain_mail_has(people: Store, db_path: Path,
                                                                  tmp_path: Path) -> None:
    body, brief = tmp_path / "body.txt", tmp_path / "brief.pdf"
    body.write_text("Hello")
    brief.write_bytes(PDF)
    for extra in ((), ("--attach", str(brief), "--attach", str(body))):
        assert run(db_path, "compose", "ana", "--subject", "Hi", "--body-file", str(body),
                   "--campaign", "spring26", *extra).exit_code == 0
    sink = await start_sink()
    await Dispatcher(people, make_config(sink.port)).run_until_empty()
    plain, attached = sorted((item.message for item in sink.received), key=lambda m: m.is_multipart())
    # The body's own Content-Transfer-Encoding moves into its part; every other header stays.
    assert {name.lower() for name in attached} == {name.lower() for name in plain} - {
        "content-transfer-encoding"}
    assert _files(attached) == [("brief.pdf", "application/pdf", PDF),
                                ("body.txt", "text/plain", b"Hello")]
    assert _structural_rules_hit(attached) == [] == _structural_rules_hit(plain)


def test_a_reply_carries_its_file(people: Store, db_path: Path, tmp_path: Path) -> None:
    send(people, 1, subject="Casting", campaign_id=1)
    body, sheet = tmp_path / "body.txt", tmp_path / "rates.png"
    body.write_text("Here are our rates.")
    sheet.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    done = run(db_path, "reply", "ana", "--body-file", str(body), "--attach", str(sheet))
    assert done.exit_code == 0, done.output
    rows = people.reader().execute(
        """SELECT m.kind, l.filename, a.content_type FROM message_attachments l
           JOIN messages m ON m.id = l.message_id JOIN attachments a ON a.id = l.attachment_id""").fetchall()
    assert rows == [("manual", "rates.png", "image/png")]


@pytest.mark.parametrize("command", [
    ("compose", "ana", "--subject", "Hi"),
    ("reply", "ana"),
    ("bulk", *HANDLES, "--subject", "Hi", "--yes"),
])
def test_an_attachment_over_the_limit_is_refused_and_nothing_is_queued(
        people: Store, db_path: Path, tmp_path: Path, command: tuple[str, ...]) -> None:
    send(people, 1, campaign_id=1)
    write_config("[attachments]\nmax_send_bytes = 5000\n")
    body, small, large = tmp_path / "body.txt", tmp_path / "a.txt", tmp_path / "big.pdf"
    body.write_text("Hello")
    small.write_bytes(b"x" * 3000)
    large.write_bytes(PDF)
    before = _count(people, "SELECT count(*) FROM messages")
    for files in ((large,), (small, small)):  # one file too large, or two that together are
        attach = [arg for file in files for arg in ("--attach", str(file))]
        refused = run(db_path, *command, "--body-file", str(body), *attach)
        assert_user_error(refused, "over the limit of 5 KB per message (max_send_bytes in [attachments])")
        assert "nothing was queued" in refused.stderr
    assert _count(people, "SELECT count(*) FROM messages") == before
    assert _count(people, "SELECT count(*) FROM attachments") == 0


@pytest.mark.parametrize("command", [("compose", "ana", "--subject", "Hi"), ("bulk", *HANDLES, "--subject",
                                                                              "Hi", "--yes")])
def test_a_missing_or_unreadable_file_is_one_sentence(people: Store, db_path: Path, tmp_path: Path,
                                                      command: tuple[str, ...]) -> None:
    body = tmp_path / "body.txt"
    body.write_text("Hello")
    missing = run(db_path, *command, "--body-file", str(body), "--attach", str(tmp_path / "nope.pdf"))
    assert_user_error(missing, "nope.pdf: no such file; nothing was queued.")
    folder = run(db_path, *command, "--body-file", str(body), "--attach", str(tmp_path))
    assert_user_error(folder, "is a folder, not a file; nothing was queued.")
    assert _count(people, "SELECT count(*) FROM messages") == 0


async def test_a_message_whose_stored_file_is_gone_fails_and_never_goes_out_without_it(
        people: Store, db_path: Path, tmp_path: Path) -> None:
    body, brief = tmp_path / "body.txt", tmp_path / "brief.pdf"
    body.write_text("Hello")
    brief.write_bytes(PDF)
    assert run(db_path, "compose", "ana", "--subject", "Hi", "--body-file", str(body), "--campaign",
               "spring26", "--attach", str(brief)).exit_code == 0
    shutil.rmtree(attachment_files.folder(people.reader()))  # before any bytes were built
    sink = await start_sink()
    config = make_config(sink.port)
    assert prepare_outbox(people, config) == 0
    await Dispatcher(people, config).run_until_empty()
    assert sink.received == []
    status, response = people.reader().execute(
        "SELECT status, last_smtp_response FROM messages WHERE kind = 'manual'").fetchone()
    assert status == "failed" and "is missing from" in response


def test_one_who_may_not_write_is_refused_before_any_file_is_stored(
        people: Store, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    body, brief = tmp_path / "body.txt", tmp_path / "brief.pdf"
    body.write_text("Hello")
    brief.write_bytes(PDF)
    monkeypatch.setenv("CALLSHEET_USER", "visitor")
    refused = run(db_path, "compose", "ana", "--subject", "Hi", "--body-file", str(body),
                  "--attach", str(brief))
    assert_user_error(refused, "visitor is a viewer")
    assert not attachment_files.folder(people.reader()).exists()
    assert _count(people, "SELECT count(*) FROM messages") == 0
