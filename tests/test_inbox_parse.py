"""Reading inbound mail: threading headers, bad encodings, missing headers, delivery reports."""

from __future__ import annotations

import pytest

from mailer.imap.parse import parse, synthetic_message_id
from store.threads import message_ids
from tests.inbox_helpers import dsn_mail, raw_mail


@pytest.mark.parametrize(("header", "expected"), [
    ("<a@x>", ["<a@x>"]),
    ("  <a@x>\r\n <b@y> <a@x>", ["<a@x>", "<b@y>"]),
    ("a@x", ["<a@x>"]),  # brackets lost by a broken client
    ("Your message of Mon, 1 Jan <c@z> (comment)", ["<c@z>"]),
    ("a@x, b@y", ["<a@x>", "<b@y>"]),
    ("", []),
    ("no ids here", []),
])
def test_message_ids_survive_broken_headers(header: str, expected: list[str]) -> None:
    assert message_ids(header) == expected


def test_plain_reply_is_read_fully() -> None:
    mail = parse(raw_mail("Ana Lima <Ana@Mail.Example>", message_id="<r1@mail.example>",
                          in_reply_to="<sent-1@brand.example>",
                          references="<sent-0@brand.example> <sent-1@brand.example>"))
    assert mail.message_id == "<r1@mail.example>"
    assert mail.from_addr == "Ana@mail.example" and mail.from_name == "Ana Lima"
    assert mail.in_reply_to == ["<sent-1@brand.example>"]
    assert mail.references == ["<sent-0@brand.example>", "<sent-1@brand.example>"]
    assert mail.subject == "Re: Our casting call"
    assert mail.body.strip() == "Yes, I'm in!"
    assert mail.sent_at == "2026-11-23T09:00:00+00:00"
    assert mail.flags == [] and mail.bounce is None


def test_missing_message_id_gets_a_stable_synthetic_one() -> None:
    raw = raw_mail("ana@mail.example")
    first, second = parse(raw), parse(raw)
    assert first.message_id == second.message_id == synthetic_message_id(raw)
    assert "no-message-id" in first.flags
    assert parse(raw + b"x").message_id != first.message_id


def test_unknown_charset_and_8bit_headers_still_give_text() -> None:
    raw = (b"From: =?x-unknown?q?Jos=E9?= <jose@mail.example>\r\nSubject: Caf\xe9 \xff\r\n"
           b"Message-ID: <bad-1@mail.example>\r\nContent-Type: text/plain; charset=x-klingon\r\n"
           b"Content-Transfer-Encoding: quoted-printable\r\n\r\nol=E1 =\r\nmundo\r\n")
    mail = parse(raw)
    assert mail.message_id == "<bad-1@mail.example>"
    assert mail.from_addr == "jose@mail.example"
    assert "Caf" in mail.subject and "\n" not in mail.subject
    assert "mundo" in mail.body


def test_garbage_bytes_are_stored_as_well_as_possible() -> None:
    raw = b"\x00\xff\xfe not an email at all \x80\x81"
    mail = parse(raw)
    assert mail.message_id.endswith("@callsheet.synthetic>")
    assert "not an email" in mail.body


def test_header_injection_in_subject_is_folded() -> None:
    mail = parse(raw_mail("ana@mail.example", subject="=?UTF-8?Q?Hi=0AX-Injected:_yes?="))
    assert "\n" not in mail.subject and "X-Injected" in mail.subject


def test_html_only_mail_becomes_text() -> None:
    raw = (b"From: ana@mail.example\r\nMessage-ID: <h@x>\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
           b"<html><style>p{}</style><p>Hello&nbsp;there</p><p>Second<br>line</p></html>\r\n")
    mail = parse(raw)
    assert "Hello\xa0there" in mail.body and "Second\nline" in mail.body
    assert mail.body_html and "<p>" in mail.body_html


def test_attachments_are_parts_beside_the_text() -> None:
    raw = (b"From: ana@mail.example\r\nMessage-ID: <att@x>\r\nMIME-Version: 1.0\r\n"
           b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n'
           b"See my media kit.\r\n--b\r\nContent-Type: application/pdf\r\n"
           b'Content-Disposition: attachment; filename="kit.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
           + b"QUFB" * 3000 + b"\r\n--b--\r\n")
    mail = parse(raw)
    assert mail.body == "See my media kit." and "QUFB" not in mail.body
    [part] = mail.attachments  # stored by sync (mailer/imap/attachment_parts.py), listed by the timeline
    assert (part.filename, part.size) == ("kit.pdf", 9000)


def test_truncated_fetch_is_flagged() -> None:
    mail = parse(raw_mail("ana@mail.example", message_id="<t@x>")[:150], truncated=True)
    assert mail.message_id == "<t@x>" and "truncated" in mail.flags


def test_delivery_report_is_recognised() -> None:
    mail = parse(dsn_mail("gone@mail.example", "<sent-9@brand.example>"))
    assert mail.bounce is not None
    assert mail.bounce.permanent
    assert mail.bounce.recipients == ["gone@mail.example"]
    assert mail.bounce.status == "5.1.1" and mail.bounce.action == "failed"
    assert "User unknown in virtual mailbox table" in mail.bounce.diagnostic
    assert mail.bounce.original_message_id == "<sent-9@brand.example>"
    assert "could not" in mail.body and "Final-Recipient" in mail.body
    assert mail.raw is not None


def test_delay_report_is_not_permanent() -> None:
    mail = parse(dsn_mail("slow@mail.example", "<sent-8@brand.example>", status="4.4.1", action="delayed"))
    assert mail.bounce is not None and not mail.bounce.permanent


def test_original_message_id_from_an_attached_message() -> None:
    raw = dsn_mail("gone@mail.example", "<x@y>").replace(
        b"Content-Type: text/rfc822-headers", b"Content-Type: message/rfc822")
    mail = parse(raw)
    assert mail.bounce is not None and mail.bounce.original_message_id == "<x@y>"
