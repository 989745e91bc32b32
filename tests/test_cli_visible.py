"""Stored text from strangers and insiders never reaches the terminal raw through the command line."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mailer.imap.parse import parse
from store import inbound, notes
from store.db import Store
from tests.cli_helpers import run
from tests.inbox_helpers import add_campaign, add_influencer, dsn_mail, raw_mail, send

# A title change, a screen clear, OSC 52 (write the clipboard), C1 CSI/OSC/ST, bidi override and isolate.
HOSTILE = ("ok \x1b]0;pwned\x07\x1b[2J \x9b6n \x9d0;t\x9c \u202egnp.exe\u202c \u2066x\u2069 "
           "\x1b]52;c;cHduZWQ=\x07 \x08\x7f end")


def raw_characters(text: str, *, lines: bool = True) -> list[str]:
    """Every character a terminal would act on (newline and tab allowed with `lines`): our own oracle."""
    allowed = "\n\t" if lines else ""
    return [c for c in text if (ord(c) < 0x20 and c not in allowed) or 0x7f <= ord(c) <= 0x9f
            or 0x202a <= ord(c) <= 0x202e or 0x2066 <= ord(c) <= 0x2069 or c in "\u2028\u2029"]


def _encoded(text: str) -> str:
    return f"=?utf-8?b?{base64.b64encode(text.encode()).decode()}?="


def _receive(store: Store, mail: bytes) -> None:
    with store.write() as db:
        inbound.save(db, parse(mail), now=store.now_iso(), actor=store.actor)


@pytest.fixture
def hostile(store: Store, db_path: Path) -> dict[str, int]:
    """Hostile text in a reply, a stranger's mail, a bounce, a name, a note, a campaign, an operator."""
    campaign = add_campaign(store, f"Glow {HOSTILE}")
    ana = add_influencer(store, "ana", name=f"Ana {HOSTILE}")
    bo = add_influencer(store, "bo")
    ana_mid = send(store, ana, subject="Casting", campaign_id=campaign)
    bo_mid = send(store, bo, subject="Casting", campaign_id=campaign)
    _receive(store, raw_mail("ana@mail.example", subject=_encoded(f"Re: {HOSTILE}"), body=f"Yes!\n{HOSTILE}",
                             message_id="<r1@mail.example>", in_reply_to=ana_mid))
    _receive(store, raw_mail(f"{_encoded(HOSTILE)} <stranger@evil.example>", subject=_encoded(HOSTILE),
                             body=HOSTILE, message_id="<s1@evil.example>"))
    report = dsn_mail("bo@mail.example", bo_mid).replace(b"charset=us-ascii", b"charset=utf-8")
    report = report.replace(b"I'm sorry", HOSTILE.encode())
    _receive(store, report.replace(b"Recipient address rejected:", HOSTILE.encode()))
    with store.write() as db:
        notes.add(db, ana, f"note {HOSTILE}", author=store.actor, now=store.now_iso())
        invitation = db.execute("SELECT id FROM messages WHERE message_id = ?", (ana_mid,)).fetchone()[0]
        db.conn.execute("UPDATE messages SET status = 'planned', body = ? WHERE id = ?",
                        (f"Hi!\n{HOSTILE}", invitation))
    store.close()
    added = run(db_path, "operator", "add", "mia", "--role", "viewer", "--name", f"Mia {HOSTILE}")
    assert added.exit_code == 0, added.output
    return {"invitation": invitation}


COMMANDS = [
    ("history", "ana"), ("history", "ana", "--json"), ("inbox",), ("inbox", "--json"),
    ("unmatched",), ("unmatched", "--json"), ("bounces",), ("bounces", "--json"), ("bounces", "show", "bo"),
    ("bounces", "show", "bo", "--raw"), ("campaign", "list"), ("campaign", "list", "--json"),
    ("campaign", "show", "glow" + HOSTILE[2:]), ("audit",), ("audit", "--json"), ("operator", "list"),
    ("operator", "list", "--json"), ("moderation", "show", "{invitation}"), ("influencers",),
    ("influencers", "--json"), ("outbox", "--status", "sent"),
]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_no_stored_text_reaches_the_terminal_raw(db_path: Path, hostile: dict, command: tuple) -> None:
    result = run(db_path, *(part.format(**hostile) for part in command))
    assert raw_characters(result.stdout) == [], result.stdout
    assert raw_characters(result.stderr) == [], result.stderr
    if "--json" in command:
        json.loads(result.stdout)  # still valid JSON
        assert "\\u001b]0;pwned" in result.stdout or "\\u202e" in result.stdout
    elif result.exit_code == 0:
        assert "\\x1b]0;pwned" in result.stdout or "\\u202e" in result.stdout  # shown, not dropped


def test_the_reply_body_and_the_note_show_as_escapes(db_path: Path, hostile: dict) -> None:
    rows = json.loads(run(db_path, "history", "ana", "--json").stdout)
    bodies = [row["body"] for row in rows if row["body"]]
    assert any(body.endswith(HOSTILE) for body in bodies)  # the JSON round-trips to the stored text
    shown = run(db_path, "moderation", "show", str(hostile["invitation"])).stdout
    assert "Hi!\nok \\x1b]0;pwned\\x07" in shown  # the body keeps its lines


def test_error_sentences_quoting_user_data_are_neutralised(tmp_path: Path) -> None:
    path = tmp_path / f"typo{HOSTILE}.db"
    result = run(path, "campaign", "list")
    assert result.exit_code == 1
    assert "There is no workspace at" in result.stderr and "\\x1b]0;pwned" in result.stderr
    assert raw_characters(result.stderr) == []


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(min_size=1, max_size=40), body=st.text(min_size=1, max_size=80))
def test_any_unicode_is_shown_safely_and_json_round_trips(store: Store, db_path: Path, name: str,
                                                          body: str) -> None:
    with store.write() as db:
        db.conn.execute("DELETE FROM messages")
        db.conn.execute("DELETE FROM influencers")
    person = add_influencer(store, "ana", name=name)
    send(store, person, subject="Hello", body=body, kind="manual")
    for command in (("influencers",), ("history", "ana")):
        table = run(db_path, *command)
        assert table.exit_code == 0, table.output
        assert raw_characters(table.stdout) == []
        assert len(table.stdout.splitlines()) == 2  # a header and one row: nothing broke the table
    listed = run(db_path, "influencers", "--json")
    assert raw_characters(listed.stdout) == []
    assert json.loads(listed.stdout)[0]["name"] == name
    history = run(db_path, "history", "ana", "--json")
    assert raw_characters(history.stdout) == []
    assert json.loads(history.stdout)[0]["body"] == body
