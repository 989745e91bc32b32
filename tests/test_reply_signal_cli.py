"""`callsheet mark HANDLE positive|negative|neutral`: the operator's mark on the latest reply."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailer.imap.parse import parse
from store import inbound
from store.db import Store
from tests.cli_helpers import assert_user_error, run, run_json
from tests.inbox_helpers import add_influencer, raw_mail, send


@pytest.fixture
def seeded(store: Store) -> Store:
    """ana wrote "What is the fee?" (neutral); bo wrote nothing."""
    sent = send(store, add_influencer(store, "ana"), subject="Casting")
    add_influencer(store, "bo")
    with store.write() as db:
        inbound.save(db, parse(raw_mail("ana@mail.example", subject="Re: Casting", body="What is the fee?",
                                        message_id="<ana-1@mail.example>", in_reply_to=sent)),
                     now=store.now_iso(), actor=store.actor)
    return store


def handles(db_path: Path, query: str) -> list[str]:
    return [row["handle"] for row in run_json(db_path, "influencers", query)]


def test_mark_sets_the_signal_that_history_and_the_query_read(db_path: Path, seeded: Store) -> None:
    assert handles(db_path, "replied:positive") == []
    marked = run(db_path, "mark", "ana", "Positive")
    assert marked.exit_code == 0, marked.output
    assert marked.stdout == "Marked ana's latest reply positive (was neutral).\n"
    assert handles(db_path, "replied:positive") == ["ana"]
    [reply] = [e for e in run_json(db_path, "history", "ana") if e["direction"] == "in"]
    assert (reply["kind"], reply["signal"], reply["signal_by"]) == ("reply", "positive", "tester")
    again = run(db_path, "mark", "ana", "positive")
    assert again.stdout == "ana's latest reply stays positive, now as your mark.\n"
    events = [e for e in run_json(db_path, "audit") if e["action"] == "message.signal"]
    assert [(e["actor"], e["detail"]["signal"], e["detail"]["previous"]) for e in events] == [
        ("tester", "positive", "neutral"), ("tester", "positive", "positive")]
    assert run(db_path, "mark", "ana").stdout == "Marked 1 message from ana read.\n"  # as before


@pytest.mark.parametrize(("args", "sentence"), [
    (("ana", "great"), "A reply is marked positive, negative or neutral, not 'great'."),
    (("bo", "positive"), "There is no reply from them to mark."),
    (("ana", "negative", "--unread"), "Mark a reply's signal or the read state, one at a time."),
    (("nobody", "positive"), "nobody"),
])
def test_bad_marks_are_one_sentence_and_change_nothing(db_path: Path, seeded: Store, args: tuple,
                                                       sentence: str) -> None:
    assert_user_error(run(db_path, "mark", *args), sentence)
    row = seeded.writer.execute("SELECT reply_signal, reply_signal_by, is_read FROM messages "
                                "WHERE direction = 'in'").fetchone()
    assert row == ("neutral", "auto", 0)


def test_a_viewer_may_not_mark(db_path: Path, seeded: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    run(db_path, "operator", "add", "vic", "--role", "viewer")
    monkeypatch.setenv("CALLSHEET_USER", "vic")
    assert_user_error(run(db_path, "mark", "ana", "positive"), "vic is a viewer and may not")
    assert handles(db_path, "replied:positive") == []
