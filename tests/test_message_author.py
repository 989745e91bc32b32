"""Every outgoing message records who wrote it, and the audit trail has the event (issue 18.9)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailer.actions import inbox as inbox_actions
from mailer.actions import pipeline
from mailer.imap.parse import parse
from store import inbound
from store.db import Store
from tests.cli_helpers import run, run_json
from tests.inbox_helpers import add_influencer, raw_mail, send
from tests.pipeline_helpers import add_influencer as add_person
from tests.pipeline_helpers import make_campaign
from tui.screens import inbox_data


def _authors(store: Store, kind: str) -> list[tuple]:
    return store.writer.execute("SELECT kind, author FROM messages WHERE direction = 'out' AND kind = ? "
                                "ORDER BY id", (kind,)).fetchall()


def _events(db_path: Path, *actions: str) -> list[tuple]:
    return [(e["actor"], e["action"], e["entity_id"]) for e in run_json(db_path, "audit")
            if e["action"] in actions]


@pytest.fixture
def eve(store: Store, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """ana wrote to us; eve, an evaluator with a from-address, is at the keyboard."""
    ana = add_influencer(store, "ana")
    sent = send(store, ana)
    with store.write() as db:
        inbound.save(db, parse(raw_mail("ana@mail.example", message_id="<a1@mail.example>",
                                        in_reply_to=sent)), now=store.now_iso(), actor="tester")
    run(db_path, "operator", "add", "eve", "--role", "evaluator", "--from", "eve@brand.example")
    monkeypatch.setenv("CALLSHEET_USER", "eve")
    return "eve"


def test_compose_and_reply_on_the_command_line_record_their_author(store, db_path, tmp_path, eve) -> None:
    body = tmp_path / "body.txt"
    body.write_text("Happy to help.")
    assert run(db_path, "compose", "ana", "--subject", "Hello", "--body-file", str(body)).exit_code == 0
    assert run(db_path, "reply", "ana", "--body-file", str(body)).exit_code == 0
    assert _authors(store, "manual") == [("manual", "eve"), ("manual", "eve")]
    rows = [r[0] for r in store.writer.execute(
        "SELECT id FROM messages WHERE author = 'eve' ORDER BY id").fetchall()]
    assert _events(db_path, "message.compose", "message.reply") == [
        ("eve", "message.compose", rows[0]), ("eve", "message.reply", rows[1])]
    history = run_json(db_path, "history", "ana")
    manual = [e["actor"] for e in history if e["entry"] == "message" and e["kind"] == "manual"]
    assert manual == ["eve", "eve"]


def test_bulk_records_its_author_on_every_message(store, db_path, tmp_path, eve) -> None:
    add_influencer(store, "bo")
    body = tmp_path / "body.txt"
    body.write_text("Hi {{ firstName }}")
    result = run(db_path, "bulk", "ana", "bo", "--subject", "News", "--body-file", str(body), "--yes")
    assert result.exit_code == 0, result.output
    assert _authors(store, "bulk") == [("bulk", "eve"), ("bulk", "eve")]
    events = _events(db_path, "message.bulk")
    assert [(actor, action) for actor, action, _ in events] == [("eve", "message.bulk")]


def test_the_apps_compose_and_reply_record_their_author(store, db_path, eve) -> None:
    moderator = Store(db_path, store.clock, actor="eve")
    try:
        ana = store.writer.execute("SELECT id FROM influencers WHERE handle = 'ana'").fetchone()[0]
        message_row, *_ = inbox_data.reply_start(moderator, ana, None)
        drafts = [*inbox_data.reply_drafts(moderator, ana, message_row, "", "Sure."),
                  *inbox_data.compose_drafts(moderator, ana, None, "Hi", "Hi {{ firstName }}")]
        assert inbox_actions.queue_drafts(moderator, drafts).sentence == "Queued 2 messages in the outbox."
    finally:
        moderator.close()
    assert _authors(store, "manual") == [("manual", "eve"), ("manual", "eve")]
    assert [a for _, a, _ in _events(db_path, "message.reply", "message.compose")] == [
        "message.reply", "message.compose"]


def test_decision_mail_is_the_deciders_and_planned_mail_the_systems(store, db_path, tmp_path,
                                                                   monkeypatch) -> None:
    make_campaign(store, segment="followers>=1", windows=["mon-sun 09:00-18:00"])
    add_person(store, "ana")
    add_person(store, "cy")
    run(db_path, "operator", "add", "eve", "--role", "evaluator")
    decider = Store(db_path, store.clock, actor="eve")
    try:
        pipeline.apply(decider, "Spring", "ana")
    finally:
        decider.close()
    assert _authors(store, "acknowledgement") == [("acknowledgement", "eve")]
    planned = run_json(db_path, "plan")
    assert planned["planned"] == 1
    assert _authors(store, "invitation") == [("invitation", "callsheet")]
    run(db_path, "operator", "add", "mo", "--role", "moderator")
    monkeypatch.setenv("CALLSHEET_USER", "mo")
    body = tmp_path / "edit.txt"
    body.write_text("Hi Cy, a short casting call for you.")
    invitation = store.writer.execute("SELECT id FROM messages WHERE kind = 'invitation'").fetchone()[0]
    edited = run(db_path, "moderation", "edit", str(invitation), "--body-file", str(body))
    assert edited.exit_code == 0, edited.output
    assert _authors(store, "invitation") == [("invitation", "mo")]
