"""Incoming attachments: synced from the real Dovecot into the store, listed, saved out intact."""

from __future__ import annotations

import imaplib
import os
import stat
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

import pytest

from mailer.attachment_saving import default_folder, write_new
from store.db import Store
from tests.cli_helpers import assert_user_error, run, run_json
from tests.dispatch_helpers import write_config
from tests.dovecot import ImapAccount
from tests.inbox_helpers import add_campaign, add_influencer, send
from tui.widgets.timeline_view import render_entries

pytest_plugins = ["tests.conftest_dovecot"]

PDF = b"%PDF-1.5\n" + os.urandom(6000) + b"\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + os.urandom(3000)
INVOICE = b"Invoice 42: 300 EUR\n"


def _append(account: ImapAccount, raw: bytes) -> None:
    conn = imaplib.IMAP4(account.server.host, account.server.port)
    try:
        conn.login(account.login, account.password)
        status, detail = conn.append("INBOX", None, None, raw)
        assert status == "OK", detail
    finally:
        conn.logout()


def _mail(in_reply_to: str, *files: tuple[str, bytes, str]) -> bytes:
    message = EmailMessage()
    message["From"] = "Ana <ana@mail.example>"
    message["To"] = "casting@brand.example"
    message["Subject"] = "Re: Casting"
    message["Message-ID"] = "<files-1@mail.example>"
    message["In-Reply-To"] = in_reply_to
    message["Date"] = "Mon, 23 Nov 2026 09:00:00 +0000"
    message.set_content("Here is my media kit, a photo and my invoice.")
    for name, data, content_type in files:
        maintype, subtype = content_type.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes(policy=SMTP)


@pytest.fixture
def invited(store: Store) -> str:
    """ana was written to; returns the Message-ID she answers."""
    return send(store, add_influencer(store, "ana"), subject="Casting", campaign_id=add_campaign(store))


def _files(db_path: Path) -> list[dict]:
    [reply] = [entry for entry in run_json(db_path, "history", "ana") if entry["direction"] == "in"]
    assert "media kit" in reply["body"]
    return reply["attachments"]


def test_three_parts_are_kept_and_saved_byte_for_byte(db_path: Path, invited: str, imap_account: ImapAccount,
                                                      tmp_path: Path) -> None:
    _append(imap_account, _mail(invited, ("mediakit.pdf", PDF, "application/pdf"),
                                ("Föto été.png", PNG, "image/png"),
                                ("../../.bashrc", INVOICE, "application/octet-stream")))
    assert run_json(db_path, "sync")["matched"] == 1
    files = _files(db_path)
    assert [(f["filename"], f["size"], f["content_type"], f["skipped"]) for f in files] == [
        ("mediakit.pdf", len(PDF), "application/pdf", None),
        ("Föto été.png", len(PNG), "image/png", None),
        ("bashrc", len(INVOICE), "text/plain", None)]  # the type comes from the bytes, not the sender

    out = tmp_path / "out"
    out.mkdir()
    ids = [str(f["id"]) for f in files]
    saved = run(db_path, "attachment", "save", *ids, "--out", str(out))
    assert saved.exit_code == 0 and "Saved 3 files to" in saved.stdout, saved.output
    assert {path.name: path.read_bytes() for path in out.iterdir()} == {
        "mediakit.pdf": PDF, "Föto été.png": PNG, "bashrc": INVOICE}
    assert all(stat.S_IMODE(path.stat().st_mode) == 0o600 for path in out.iterdir())  # never executable
    again = run(db_path, "attachment", "save", ids[0], "--out", str(out))
    assert again.exit_code == 0 and "mediakit (1).pdf" in again.stdout
    assert (out / "mediakit (1).pdf").read_bytes() == PDF and (out / "mediakit.pdf").read_bytes() == PDF
    # Syncing the same mail again stores nothing twice.
    assert run_json(db_path, "sync")["fetched"] == 0
    assert len(_files(db_path)) == 3


def test_an_oversize_part_is_skipped_with_its_size_and_the_rest_is_kept(
        db_path: Path, invited: str, imap_account: ImapAccount, store: Store) -> None:
    write_config("[attachments]\nmax_part_bytes = 5000\nmax_message_bytes = 3000\n")
    _append(imap_account, _mail(invited, ("mediakit.pdf", PDF, "application/pdf"),
                                ("invoice.txt", INVOICE, "text/plain"),
                                ("photo.png", PNG, "image/png")))
    said = run(db_path, "sync")
    assert said.exit_code == 0 and "1 matched" in said.stdout, said.output
    assert ("; 2 attachments not kept (over the [attachments] size limits; `callsheet history` lists them)."
            in said.stdout)
    files = _files(db_path)
    # Over the part cap; kept; then over what is left of the message's allowance.
    assert [(f["filename"], f["skipped"]) for f in files] == [
        ("mediakit.pdf", "too large"), ("invoice.txt", None), ("photo.png", "too large")]
    assert files[0]["size"] == pytest.approx(len(PDF), abs=3)
    assert store.reader().execute("SELECT count(*) FROM attachments").fetchone()[0] == 1
    table = run(db_path, "history", "ana").stdout
    assert "mediakit.pdf (6 KB, skipped: too large)" in table
    refused = run(db_path, "attachment", "save", str(files[0]["id"]))
    assert_user_error(refused, "was not kept: too large")


def test_saving_refuses_what_is_not_a_folder(db_path: Path, store: Store, tmp_path: Path) -> None:
    assert_user_error(run(db_path, "attachment", "save", "7", "--out", str(tmp_path)), "no attachment #7")
    with pytest.raises(Exception, match="is not a folder"):
        write_new(tmp_path / "missing", "a.pdf", b"x")


def test_names_never_leave_the_folder_and_never_overwrite(tmp_path: Path) -> None:
    (tmp_path / "a.pdf").write_bytes(b"mine")
    os.symlink(tmp_path / "elsewhere", tmp_path / "b.pdf")
    written = [write_new(tmp_path, name, b"new") for name in ("a.pdf", "../a.pdf", "b.pdf", ".hidden")]
    assert [path.name for path in written] == ["a (1).pdf", "a (2).pdf", "b (1).pdf", "hidden"]
    assert all(path.parent == tmp_path for path in written)
    assert (tmp_path / "a.pdf").read_bytes() == b"mine" and not (tmp_path / "elsewhere").exists()


def test_the_inbox_saves_to_downloads_when_there_is_one(tmp_path: Path) -> None:
    assert default_folder(home=tmp_path, cwd=tmp_path / "cwd") == tmp_path / "cwd"
    (tmp_path / "Downloads").mkdir()
    assert default_folder(home=tmp_path, cwd=tmp_path / "cwd") == tmp_path / "Downloads"


def test_the_timeline_lists_each_file_with_its_id() -> None:
    entry = {"entry": "message", "direction": "in", "at": "2026-11-23T09:00:00+00:00", "kind": "reply",
             "is_read": 1, "from_name": "Ana", "from_addr": "ana@mail.example", "flags": [],
             "subject": "Re: Casting", "body": "Here", "attachments": [
                 {"id": 4, "skipped": None, "label": "kit\x1b[2J.pdf (6 KB) #4"},
                 {"id": 5, "skipped": "too large", "label": "big.mov (40.0 MB, skipped: too large) #5"}]}
    shown = "\n".join(part.plain for part in render_entries([entry]))
    assert "kit" in shown and ".pdf (6 KB) #4" in shown and "\x1b" not in shown  # outside text, neutralised
    assert "big.mov (40.0 MB, skipped: too large) #5" in shown


def test_mail_past_the_old_2_mb_fetch_cut_keeps_its_file_whole(
        db_path: Path, invited: str, imap_account: ImapAccount, tmp_path: Path) -> None:
    video = b"\x00\x00\x00\x18ftypmp42" + os.urandom(3_000_000)
    _append(imap_account, _mail(invited, ("draft.mp4", video, "video/mp4")))
    assert run_json(db_path, "sync")["matched"] == 1
    [kept] = _files(db_path)
    assert (kept["size"], kept["skipped"]) == (len(video), None)
    assert run(db_path, "attachment", "save", str(kept["id"]), "--out", str(tmp_path)).exit_code == 0
    assert (tmp_path / "draft.mp4").read_bytes() == video
