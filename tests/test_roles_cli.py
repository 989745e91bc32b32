"""The role table on the command line: bookmarks, read marks, address export and sync (SPEC §2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailer.actions import pipeline
from store.db import Store
from tests.cli_helpers import assert_user_error, run, run_json
from tests.inbox_helpers import add_influencer, dsn_mail, raw_mail, send
from tests.pipeline_helpers import make_campaign

pytest_plugins = ["tests.conftest_dovecot"]


def _as(monkeypatch: pytest.MonkeyPatch, db_path: Path, login: str, role: str | None) -> None:
    """Add `login` with `role` (None: no operator entry, a viewer), then act as it."""
    monkeypatch.setenv("CALLSHEET_USER", "tester")  # the manager adds them
    if role:
        assert run(db_path, "operator", "add", login, "--role", role).exit_code == 0
    monkeypatch.setenv("CALLSHEET_USER", login)


def _state(store: Store) -> tuple:
    db = store.writer
    return (db.execute("SELECT handle, bookmarked FROM influencers ORDER BY handle").fetchall(),
            db.execute("SELECT id, is_read FROM messages WHERE direction = 'in' ORDER BY id").fetchall(),
            db.execute("SELECT count(*) FROM audit_events WHERE action != 'refused'").fetchone()[0])


def _refusals(store: Store) -> list[tuple[str, str]]:
    """Who was refused what: every refusal is on the audit trail, and is all a refusal writes."""
    return store.writer.execute("SELECT actor, json_extract(detail, '$.permission') FROM audit_events "
                                "WHERE action = 'refused' ORDER BY id").fetchall()


@pytest.fixture
def talked(store: Store) -> Store:
    """ana wrote back once and the reply is unread."""
    from mailer.imap.parse import parse
    from store import inbound

    ana = add_influencer(store, "ana")
    sent = send(store, ana)
    with store.write() as db:
        inbound.save(db, parse(raw_mail("ana@mail.example", message_id="<r1@mail.example>",
                                        in_reply_to=sent)), now=store.now_iso(), actor="tester")
    return store


@pytest.mark.parametrize("login", ["visitor", "vera"])
def test_a_viewer_may_neither_bookmark_nor_mark(talked, db_path, monkeypatch, login) -> None:
    _as(monkeypatch, db_path, login, "viewer" if login == "vera" else None)
    before = _state(talked)
    for args in (("bookmark", "ana"), ("bookmark", "ana", "--off"), ("mark", "ana", "--read"),
                 ("mark", "ana", "--unread")):
        assert_user_error(run(db_path, *args),
                          f"{login} is a viewer and may not mark or bookmark conversations.")
    assert _state(talked) == before
    assert _refusals(talked) == [(login, "triage_inbox")] * 4


@pytest.mark.parametrize("role", ["moderator", "evaluator"])
def test_those_who_answer_mail_bookmark_and_mark_and_it_is_audited(talked, db_path, monkeypatch,
                                                                   role) -> None:
    _as(monkeypatch, db_path, "mo", role)
    for args in (("bookmark", "ana"), ("mark", "ana", "--read"), ("mark", "ana", "--unread"),
                 ("bookmark", "ana", "--off")):
        assert run(db_path, *args).exit_code == 0
    events = [(e["actor"], e["action"], e["entity_id"]) for e in run_json(db_path, "audit")
              if e["action"].startswith(("influencer.", "conversation."))]
    ana = talked.writer.execute("SELECT id FROM influencers WHERE handle = 'ana'").fetchone()[0]
    assert events == [("mo", action, ana) for action in ("influencer.bookmark", "conversation.read",
                                                         "conversation.unread", "influencer.unbookmark")]


@pytest.fixture
def cast(store: Store) -> Store:
    from tests.pipeline_helpers import add_influencer as add_person

    make_campaign(store)
    add_person(store, "ana", name="Ana Lima", address="1 rue A, Paris")
    pipeline.apply(store, "Spring", "ana")
    pipeline.decide(store, "Spring", ["ana"], "accept")
    return store


@pytest.mark.parametrize(("login", "role"), [("visitor", None), ("eve", "evaluator"), ("mo", "moderator")])
def test_only_a_manager_exports_addresses(cast, db_path, tmp_path, monkeypatch, login, role) -> None:
    _as(monkeypatch, db_path, login, role)
    out = tmp_path / "addresses.csv"
    shown = role or "viewer"
    article = "an" if shown[0] in "aeiou" else "a"
    assert_user_error(run(db_path, "export", "addresses", "Spring", "--out", str(out)),
                      f"{login} is {article} {shown} and may not export personal data.")
    assert not out.exists() and list(tmp_path.glob(".export-*")) == []
    assert [e for e in run_json(db_path, "audit") if e["action"] == "export.addresses"] == []


def test_an_address_export_is_on_the_audit_trail(cast, db_path, tmp_path) -> None:
    out = tmp_path / "addresses.csv"
    assert run(db_path, "export", "addresses", "Spring", "--out", str(out)).exit_code == 0
    assert "1 rue A, Paris" in out.read_text()
    [event] = [e for e in run_json(db_path, "audit") if e["action"] == "export.addresses"]
    assert (event["actor"], event["detail"]) == ("tester", {"rows": 1, "destination": str(out.resolve())})


def test_a_viewer_may_not_sync_and_nothing_is_applied(store, db_path, imap_account, monkeypatch) -> None:
    from tests.test_inbox_sync import append

    gone = add_influencer(store, "gone", email="gone@mail.example")
    append(imap_account, dsn_mail("gone@mail.example", send(store, gone)))
    bounced = "SELECT bounced FROM influencers WHERE id = ?"
    _as(monkeypatch, db_path, "visitor", None)
    assert_user_error(run(db_path, "sync"), "visitor is a viewer and may not sync mail.")
    assert store.writer.execute(bounced, (gone,)).fetchone()[0] == 0
    _as(monkeypatch, db_path, "mo", "moderator")
    assert run_json(db_path, "sync")["bounces"] == 1
    assert store.writer.execute(bounced, (gone,)).fetchone()[0] == 1
