"""Header-bound text is refused where it enters when an encoded-word in it decodes to a control (18.16).

`=?UTF-8?Q?=0D=0A?=` is plain text until the email package builds the header and decodes it
into a line break: before, such text was accepted and the message failed only at dispatch.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mailer.smtp.mime import ComposeError, compose
from store.db import Store
from store.header_text import decodes_to_control
from tests.cli_helpers import assert_user_error, run
from tests.inbox_helpers import add_campaign, add_influencer, send
from tests.pipeline_helpers import make_campaign, table_counts

CRLF = "=?UTF-8?Q?=0D=0A?="
UNSENDABLE = [CRLF, "Hi =?UTF-8?Q?=0AX-Injected:_yes?=", "=?UTF-8?B?DQo=?=", "=?utf-8?q?=07?=",
              "=?UTF-8?Q?=E2=80=A8?=", '"=?UTF-8?Q?=0A?="']
PROBLEM = "holds an encoded-word (=?…?=) that decodes to a line break or a control character"


@pytest.mark.parametrize("text", UNSENDABLE)
def test_the_check_agrees_with_dispatch(text: str) -> None:
    row = {"from_addr": "a@example.com", "to_addr": "b@example.com", "subject": text,
           "created_at": "2026-11-23T10:00:00+00:00", "message_id": "<x@example.com>", "body": "hi"}
    assert decodes_to_control(text)
    raw = b""
    try:
        raw = compose(row)
    except ComposeError:
        return  # refused at dispatch: the entry check spares the operator that surprise
    assert any(0 < byte < 32 and byte not in (9, 10, 13) for byte in raw.split(b"\r\n\r\n")[0])


def test_benign_encoded_words_pass() -> None:
    assert not decodes_to_control("Hello =?UTF-8?Q?caf=C3=A9?= and =? alone")


@pytest.mark.parametrize("subject", [f"Casting {CRLF}X-Injected: yes", "=?UTF-8?Q?{{ '=0A' }}?="])
def test_template_set_refuses_the_subject(store: Store, db_path: Path, tmp_path: Path, subject: str) -> None:
    make_campaign(store)
    body = tmp_path / "body.j2"
    body.write_text("Hi {{ firstName }}", encoding="utf-8")
    before = table_counts(store)
    result = run(db_path, "template", "set", "Spring", "invitation", "--lang", "en", "--subject", subject,
                 "--body-file", str(body))
    assert_user_error(result, f"Template invitation (en), subject: it {PROBLEM}")
    assert table_counts(store) == before


@pytest.mark.parametrize(("args", "fragment"), [
    (("Spring", "--sender", "casting@brand.example", "--sender-name", CRLF), f"--sender-name {PROBLEM}"),
    (("Spring", "--sender", f"{CRLF}@brand.example"), f"--sender '{CRLF}@brand.example' {PROBLEM}"),
    ((f"Spring {CRLF}", "--sender", "casting@brand.example"), f"The campaign name {PROBLEM}"),
])
def test_campaign_create_refuses_the_name_and_sender(store: Store, db_path: Path, args: tuple,
                                                     fragment: str) -> None:
    assert_user_error(run(db_path, "campaign", "create", *args), fragment)
    assert store.writer.execute("SELECT count(*) FROM campaigns").fetchone()[0] == 0


@pytest.mark.parametrize(("option", "value", "fragment"), [
    ("--from", f"{CRLF}@brand.example", f"--from '{CRLF}@brand.example' {PROBLEM}"),
    ("--name", f"Ana {CRLF}", f"--name {PROBLEM}"),
])
def test_operator_add_refuses_the_from_address_and_name(store: Store, db_path: Path, option: str, value: str,
                                                        fragment: str) -> None:
    result = run(db_path, "operator", "add", "bob", "--role", "moderator", option, value)
    assert_user_error(result, fragment)
    assert store.writer.execute("SELECT count(*) FROM operators WHERE login = 'bob'").fetchone()[0] == 0


@pytest.fixture
def mailable(store: Store, tmp_path: Path) -> Path:
    """ana and bo with a campaign to send from; returns a body file."""
    campaign = add_campaign(store, "spring26")
    for handle in ("ana", "bo"):
        send(store, add_influencer(store, handle), subject=f"Casting for {handle}", campaign_id=campaign)
    body = tmp_path / "body.txt"
    body.write_text("Hello")
    return body


def _outgoing(store: Store) -> int:
    return store.writer.execute("SELECT count(*) FROM messages").fetchone()[0]


@pytest.mark.parametrize("command", [("compose", "ana"), ("bulk", "ana", "bo", "--yes")])
def test_compose_and_bulk_refuse_the_subject(store: Store, db_path: Path, mailable: Path,
                                             command: tuple) -> None:
    before = _outgoing(store)
    result = run(db_path, *command, "--subject", f"News {CRLF}", "--body-file", str(mailable),
                 "--campaign", "spring26")
    assert_user_error(result, f"The subject {PROBLEM}")
    assert _outgoing(store) == before
    fine = run(db_path, *command, "--subject", "News =?UTF-8?Q?caf=C3=A9?=", "--body-file", str(mailable),
               "--campaign", "spring26")
    assert fine.exit_code == 0, fine.output


def test_reply_refuses_a_subject_that_cannot_be_sent(store: Store, db_path: Path, mailable: Path) -> None:
    cy = add_influencer(store, "cy")
    send(store, cy, subject=f"Casting {CRLF}X-Injected: yes", campaign_id=add_campaign(store, "autumn"))
    before = _outgoing(store)
    result = run(db_path, "reply", "cy", "--body-file", str(mailable))
    assert_user_error(result, f"The subject of the message being answered {PROBLEM}")
    assert _outgoing(store) == before
