"""The reply signal on stored mail: guessed on arrival, marked by the operator, read by `replied:`."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlite_utils import Database

from mailer.imap.parse import parse
from store import audit, handles, inbound, inbox, reply_marks
from store.db import Store
from store.errors import UserError
from store.query.parser import QueryError, parse_query
from store.schema import migrations
from tests.inbox_helpers import add_campaign, add_influencer, raw_mail, send

SINCE = "2026-01-01T00:00:00+00:00"
OUT_OF_OFFICE = "Auto-Submitted: auto-replied\r\nX-Autoreply: yes"


def receive(store: Store, handle: str, body: str, *, subject: str = "Re: Our casting call",
            extra: str = "", n: int = 0) -> int:
    """`handle` writes back through the parser and the store, as a sync would; returns the row."""
    sent = send(store, store.writer.execute("SELECT id FROM influencers WHERE handle = ?",
                                            (handle,)).fetchone()[0])
    mail = parse(raw_mail(f"{handle}@mail.example", subject=subject, body=body, in_reply_to=sent,
                          message_id=f"<{handle}-{n}@mail.example>", extra=extra))
    with store.write() as db:
        saved = inbound.save(db, mail, now=store.now_iso(), actor=store.actor)
    assert saved.row_id is not None
    return saved.row_id


def found(store: Store, query: str) -> set[str]:
    where, params = parse_query(query).to_sql(store.clock.now())
    rows = store.reader().execute(f"SELECT handle FROM influencers i WHERE {where}", params)
    return {row[0] for row in rows}


def mark_of(store: Store, row: int) -> tuple:
    return store.writer.execute("SELECT kind, reply_signal, reply_signal_by FROM messages WHERE id = ?",
                                (row,)).fetchone()


@pytest.fixture
def people(store: Store) -> dict[str, int]:
    return {handle: add_influencer(store, handle) for handle in ("yes", "no", "away", "meh")}


def test_arriving_replies_are_guessed_and_auto_replies_are_not_replies(store: Store,
                                                                      people: dict[str, int]) -> None:
    rows = {"yes": receive(store, "yes", "Yes, count me in!"),
            "no": receive(store, "no", "Not interested, thanks."),
            "away": receive(store, "away", "I am away until Monday.", subject="Out of office: Casting",
                            extra=OUT_OF_OFFICE),
            "meh": receive(store, "meh", "What is the fee?\n\n> Are you interested?")}
    assert mark_of(store, rows["yes"]) == ("reply", "positive", "auto")
    assert mark_of(store, rows["no"]) == ("reply", "negative", "auto")
    assert mark_of(store, rows["away"]) == ("auto-reply", "neutral", "auto")
    assert mark_of(store, rows["meh"]) == ("reply", "neutral", "auto")
    assert found(store, "replied:yes") == {"yes", "no", "meh"}
    assert found(store, "replied:no") == {"away"}
    assert found(store, "replied:positive") == {"yes"}
    assert found(store, "replied:negative") == {"no"}
    assert found(store, "replied:neutral") == {"meh"}
    assert found(store, "-replied:positive") == {"no", "away", "meh"}
    assert not inbox.replied_since(store.reader(), people["away"], SINCE)
    assert inbox.replied_since(store.reader(), people["yes"], SINCE)
    _, handles_seen = inbox.replies_since(store.reader(), 0)
    assert "away" not in handles_seen  # no "new reply" notice for an out-of-office either


def test_the_operator_mark_wins_over_any_later_guess(store: Store, people: dict[str, int]) -> None:
    row = receive(store, "yes", "Yes, count me in!")
    with store.write() as db:
        mark = reply_marks.set_mark(db, people["yes"], "negative", now=store.now_iso(), actor=store.actor)
    assert (mark.message_row, mark.signal, mark.previous) == (row, "negative", "positive")
    assert mark_of(store, row) == ("reply", "negative", store.actor)
    with store.write() as db:
        # The rules now read their words differently: only unmarked guesses follow.
        db.conn.execute("UPDATE messages SET reply_signal = 'neutral' WHERE id = ?", (row,))
        db.conn.execute("UPDATE messages SET reply_signal_by = ? WHERE id = ?", (store.actor, row))
        other = receive(store, "no", "No thanks.")
        db.conn.execute("UPDATE messages SET reply_signal = 'positive' WHERE id = ?", (other,))
        assert reply_marks.guess_again(db) == 1
    assert mark_of(store, row) == ("reply", "neutral", store.actor)
    assert mark_of(store, other) == ("reply", "negative", "auto")
    [event] = [e for e in audit.recent(store.reader()) if e["action"] == "message.signal"]
    assert event["entity_id"] == row and event["detail"]["signal"] == "negative"
    assert event["actor"] == store.actor


def test_marking_an_auto_reply_says_a_person_wrote_it(store: Store, people: dict[str, int]) -> None:
    row = receive(store, "away", "Back on Monday; yes, count me in.", subject="Automatic reply: Casting")
    assert found(store, "replied:yes") == set()
    with store.write() as db:
        mark = reply_marks.set_mark(db, people["away"], "positive", now=store.now_iso(), actor=store.actor)
        assert reply_marks.guess_again(db) == 0
    assert mark.previous == "auto-reply" and mark.was_auto_reply
    assert mark_of(store, row) == ("reply", "positive", store.actor)
    assert found(store, "replied:positive") == {"away"}
    assert inbox.replied_since(store.reader(), people["away"], SINCE)


def test_the_mark_goes_on_their_latest_reply(store: Store, people: dict[str, int]) -> None:
    first = receive(store, "meh", "What is the fee?", n=1)
    store.clock.pinned = store.clock.now().replace(hour=store.clock.now().hour + 1)
    later = receive(store, "meh", "Out of the office.", subject="Abwesenheitsnotiz", n=2)
    glow = add_campaign(store, "glow")
    with store.write() as db:
        db.conn.execute("UPDATE messages SET campaign_id = ? WHERE id = ?", (glow, first))
        assert reply_marks.set_mark(db, people["meh"], "Positive ", now=store.now_iso(),
                                    actor=store.actor).message_row == later
        # The Inbox filtered to a campaign marks the latest reply of that campaign's part.
        assert reply_marks.set_mark(db, people["meh"], "negative", campaign_id=glow, now=store.now_iso(),
                                    actor=store.actor).message_row == first


@pytest.mark.parametrize(("signal", "sentence"), [
    ("great", "A reply is marked positive, negative or neutral, not 'great'."),
])
def test_a_bad_signal_is_one_sentence_and_changes_nothing(store: Store, people: dict[str, int],
                                                         signal: str, sentence: str) -> None:
    row = receive(store, "yes", "Yes!")
    with pytest.raises(UserError, match=sentence), store.write() as db:
        reply_marks.set_mark(db, people["yes"], signal, now=store.now_iso(), actor=store.actor)
    assert mark_of(store, row) == ("reply", "positive", "auto")


def test_nobody_to_mark_is_one_sentence(store: Store, people: dict[str, int]) -> None:
    with pytest.raises(UserError, match="There is no reply from them to mark."), store.write() as db:
        reply_marks.set_mark(db, people["yes"], "positive", now=store.now_iso(), actor=store.actor)


def test_replied_takes_the_signals_or_says_what_it_takes() -> None:
    assert str(parse_query("replied:POSITIVE")) == "replied:positive"
    assert str(parse_query("-replied:negative")) == "-replied:negative"
    assert str(parse_query("replied:y")) == "replied:yes"
    with pytest.raises(QueryError, match="replied takes yes, no, positive, negative or neutral, not 'great'"):
        parse_query("replied:great")


@pytest.mark.parametrize(("text", "index"), [
    ("replied:yes", "messages_replies"), ("replied:no", "messages_replies"),
    ("replied:positive", "messages_reply_signals"), ("replied:negative", "messages_reply_signals"),
    ("replied:neutral", "messages_reply_signals"),
])
def test_replied_reads_an_index(store: Store, text: str, index: str) -> None:
    sql, params = parse_query(text).to_sql(store.clock.now())
    plan = " | ".join(row[3] for row in store.reader().execute(
        f"EXPLAIN QUERY PLAN SELECT i.id FROM influencers i WHERE {sql}", params))
    assert f"USING INDEX {index}" in plan, plan


def test_the_migration_sets_flagged_auto_replies_apart_and_leaves_the_rest_unmarked(db_path: Path) -> None:
    conn = sqlite3.connect(db_path, isolation_level=None)
    handles.register(conn)
    migrations.apply(Database(conn), stop_before="reply_signal")
    now = "2026-11-23T09:00:00+00:00"
    conn.execute("INSERT INTO influencers (id, handle, created_at, updated_at) VALUES (1, 'ana', ?, ?),"
                 " (2, 'bo', ?, ?)", (now, now, now, now))
    conn.execute("""INSERT INTO messages (influencer_id, direction, kind, flags, body, message_id, created_at,
                        updated_at) VALUES (1, 'in', 'reply', '["auto-reply"]', 'away', '<a@x>', ?, ?),
                        (2, 'in', 'reply', '[]', 'Yes, count me in', '<b@x>', ?, ?)""", (now, now, now, now))
    conn.close()
    store = Store(db_path, actor="tester")
    try:
        rows = store.writer.execute("SELECT kind, reply_signal, reply_signal_by FROM messages ORDER BY id")
        assert rows.fetchall() == [("auto-reply", "neutral", "auto"), ("reply", None, None)]
        assert found(store, "replied:yes") == {"bo"} and found(store, "replied:neutral") == {"bo"}
        with store.write() as db:
            assert reply_marks.guess_again(db) == 1
        assert found(store, "replied:positive") == {"bo"}
    finally:
        store.close()
