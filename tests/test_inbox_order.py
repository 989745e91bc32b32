"""Inbox order and "latest" come from when mail was sent or received, never from when a row was made."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlite_utils import Database

from mailer.imap.parse import parse
from store import conversations, handles, inbound
from store.clock import from_iso
from store.db import Store
from store.schema import migrations
from tests.cli_helpers import run_json
from tests.inbox_helpers import add_campaign, add_influencer, raw_mail, send
from tests.test_inbox_store import maintained, recomputed

NOW = "2026-11-23T10:00:00+00:00"


def at(store: Store, moment: str) -> None:
    store.clock.advance(from_iso(moment) - store.clock.now())


def receive(store: Store, raw: bytes, *, read: bool = True) -> None:
    with store.write() as db:
        saved = inbound.save(db, parse(raw), now=store.now_iso(), actor=store.actor)
        if read:
            db.conn.execute("UPDATE messages SET is_read = 1 WHERE id = ?", (saved.row_id,))


def dispatched(store: Store, message_id: str) -> None:
    """What the dispatcher's fold does once the mail left: sent, at the clock's time."""
    with store.write() as db:
        db.conn.execute("UPDATE messages SET status = 'sent', sent_at = ?, updated_at = ? "
                        "WHERE message_id = ?", (store.now_iso(), store.now_iso(), message_id))


@pytest.fixture
def three(store: Store) -> Store:
    """At 08:00 cy was mailed and ana's invitation planned; bo wrote at 09:00; at 11:00 cy gets a
    queued invitation and ana's planned one finally leaves."""
    campaign = add_campaign(store)
    ana, bo, cy = (add_influencer(store, h) for h in ("ana", "bo", "cy"))
    at(store, "2026-11-23T08:00:00+00:00")
    send(store, cy, subject="Sent to cy", campaign_id=campaign)
    late = send(store, ana, subject="Planned for ana", campaign_id=campaign, status="queued")
    at(store, "2026-11-23T09:00:00+00:00")
    receive(store, raw_mail("bo@mail.example", subject="From bo", message_id="<bo@x>",
                            date="2026-11-23T09:00:00+00:00"))
    at(store, "2026-11-23T11:00:00+00:00")
    send(store, cy, subject="Queued for cy", campaign_id=campaign, status="queued")
    dispatched(store, late)
    return store


def test_order_and_latest_come_from_sent_and_received_times(three: Store) -> None:
    rows = conversations.page(three.reader(), now=NOW)
    assert [(r.handle, r.last_at, r.last_subject) for r in rows] == [
        ("ana", "2026-11-23T11:00:00+00:00", "Planned for ana"),
        ("bo", "2026-11-23T09:00:00+00:00", "From bo"),
        ("cy", "2026-11-23T08:00:00+00:00", "Sent to cy"),
    ]
    assert maintained(three) == recomputed(three)


def test_a_conversation_of_queued_mail_alone_is_listed_last_without_a_time(store: Store) -> None:
    ana, bo = add_influencer(store, "ana"), add_influencer(store, "bo")
    send(store, ana, subject="Old news")
    store.clock.advance(timedelta(hours=1))
    queued = send(store, bo, subject="Not yet sent", status="queued")
    rows = conversations.page(store.reader(), now=NOW)
    assert [(r.handle, r.last_at, r.last_subject) for r in rows] == [
        ("ana", NOW, "Old news"), ("bo", "", "Not yet sent")]
    store.clock.advance(timedelta(hours=1))
    dispatched(store, queued)
    assert [r.handle for r in conversations.page(store.reader(), now=NOW)] == ["bo", "ana"]
    assert maintained(store) == recomputed(store)


def test_a_sent_time_moved_back_or_a_failure_is_recomputed(three: Store) -> None:
    with three.write() as db:
        db.conn.execute("UPDATE messages SET status = 'failed' WHERE subject = 'Planned for ana'")
    assert maintained(three) == recomputed(three)
    assert [r.handle for r in conversations.page(three.reader(), now=NOW)] == ["bo", "cy", "ana"]


def test_inbox_json_order_and_last_at(db_path: Path, three: Store) -> None:
    rows = run_json(db_path, "inbox")
    assert [(r["handle"], r["last_at"], r["last_subject"]) for r in rows] == [
        ("ana", "2026-11-23T11:00:00+00:00", "Planned for ana"),
        ("bo", "2026-11-23T09:00:00+00:00", "From bo"),
        ("cy", "2026-11-23T08:00:00+00:00", "Sent to cy"),
    ]


def test_the_migration_recomputes_summaries_of_an_existing_database(db_path: Path) -> None:
    """A database made before the change kept times of row creation; opening it fixes them."""
    conn = sqlite3.connect(db_path, isolation_level=None)
    handles.register(conn)
    old = Database(conn)
    migrations.apply(old, stop_before="inbox_activity_time")
    conn.executescript(f"""
        INSERT INTO influencers (id, handle, email, created_at, updated_at)
            VALUES (1, 'ana', 'ana@x.example', '{NOW}', '{NOW}'), (2, 'bo', 'bo@x.example', '{NOW}', '{NOW}');
        INSERT INTO messages (influencer_id, direction, kind, status, subject, sent_at, created_at,
                              updated_at)
            VALUES (1, 'out', 'invitation', 'sent', 'sent to ana', '2026-11-23T09:00:00+00:00',
                    '2026-11-20T09:00:00+00:00', '{NOW}'),
                   (2, 'out', 'invitation', 'sent', 'sent to bo', '2026-11-23T08:00:00+00:00',
                    '2026-11-20T08:00:00+00:00', '{NOW}'),
                   (2, 'out', 'invitation', 'queued', 'queued for bo', NULL, '{NOW}', '{NOW}');
    """)
    before = conn.execute("SELECT influencer_id, last_at FROM conversations WHERE campaign_id = 0 "
                          "ORDER BY 1").fetchall()
    assert before == [(1, "2026-11-20T09:00:00+00:00"), (2, NOW)]  # the old, wrong times
    conn.close()
    store = Store(db_path, actor="tester")
    try:
        rows = conversations.page(store.reader(), now=NOW)
        assert [(r.handle, r.last_at, r.last_subject) for r in rows] == [
            ("ana", "2026-11-23T09:00:00+00:00", "sent to ana"),
            ("bo", "2026-11-23T08:00:00+00:00", "sent to bo")]
        assert maintained(store) == recomputed(store)
    finally:
        store.close()


def latest_ids(store: Store) -> list[tuple]:
    """Each summary's latest message as maintained, and as the greatest (time, id) says it is."""
    maintained_ids = store.writer.execute(
        "SELECT influencer_id, campaign_id, last_message_id FROM conversations ORDER BY 1, 2").fetchall()
    oracle = store.writer.execute(
        """SELECT influencer_id, scope, id FROM (
               SELECT influencer_id, scope, id, row_number() OVER (
                   PARTITION BY influencer_id, scope ORDER BY coalesce(at, '') DESC, id DESC) AS n
               FROM (SELECT *, CASE WHEN direction = 'in' THEN created_at
                                    WHEN coalesce(status, 'sent') = 'sent' THEN coalesce(sent_at, created_at)
                               END AS at
                     FROM (SELECT *, 0 AS scope FROM messages UNION ALL
                           SELECT *, campaign_id AS scope FROM messages WHERE campaign_id IS NOT NULL))
               WHERE influencer_id IS NOT NULL
                 AND (direction = 'in' OR coalesce(status, '') NOT IN ('planned', 'skipped')))
           WHERE n = 1 ORDER BY 1, 2""").fetchall()
    return [maintained_ids, oracle]


CHANGES = st.lists(st.tuples(
    st.sampled_from(["insert", "status", "sent_at", "read", "move", "campaign", "delete", "created"]),
    st.integers(1, 6), st.integers(0, 3), st.sampled_from(["planned", "queued", "sending", "sent",
                                                           "failed", "skipped", None]),
    st.integers(0, 9)), max_size=40)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=CHANGES)
def test_summaries_stay_equal_to_a_recomputation_whatever_the_writes(store: Store, changes: list) -> None:
    with store.write() as db:
        db.conn.execute("DELETE FROM messages")
        for handle in ("a", "b", "c"):
            db.conn.execute("INSERT OR IGNORE INTO influencers (handle, created_at, updated_at) "
                            "VALUES (?, ?, ?)", (handle, NOW, NOW))
        for name in ("x", "y", "z"):
            db.conn.execute("INSERT OR IGNORE INTO campaigns (name, created_at, updated_at) VALUES (?, ?, ?)",
                            (name, NOW, NOW))
        for n, (change, target, number, status, hour) in enumerate(changes):
            _apply(db.conn, n, change, target, number, status, f"2026-11-2{hour // 5}T0{hour}:00:00+00:00")
    assert maintained(store) == recomputed(store)
    maintained_ids, oracle = latest_ids(store)
    assert maintained_ids == oracle


def _apply(conn: sqlite3.Connection, n: int, change: str, target: int, number: int, status: str | None,
           moment: str) -> None:
    """One write of the kind the app, the sync and the dispatcher make."""
    influencer, campaign = number % 3 + 1 if number else None, number or None
    ids = [row[0] for row in conn.execute("SELECT id FROM messages ORDER BY id")]
    row = ids[target % len(ids)] if ids else None
    if change == "insert" or row is None:
        direction = "in" if status is None else "out"
        conn.execute(
            """INSERT INTO messages (influencer_id, campaign_id, direction, kind, status, is_read, sent_at,
                   message_id, created_at, updated_at) VALUES (?, ?, ?, 'manual', ?, ?, ?, ?, ?, ?)""",
            (influencer, campaign, direction, status, int(direction == "out"),
             moment if status == "sent" and target % 2 else None, f"<p{n}@x>", moment, moment))
    elif change == "status":
        conn.execute("UPDATE messages SET status = ? WHERE id = ? AND direction = 'out'", (status, row))
    elif change == "sent_at":
        conn.execute("UPDATE messages SET status = 'sent', sent_at = ? WHERE id = ?", (moment, row))
    elif change == "read":
        conn.execute("UPDATE messages SET is_read = 1 - is_read WHERE id = ?", (row,))
    elif change == "move":
        conn.execute("UPDATE messages SET influencer_id = ? WHERE id = ?", (influencer, row))
    elif change == "campaign":
        conn.execute("UPDATE messages SET campaign_id = ? WHERE id = ?", (campaign, row))
    elif change == "created":
        conn.execute("UPDATE messages SET created_at = ? WHERE id = ?", (moment, row))
    else:
        conn.execute("DELETE FROM messages WHERE id = ?", (row,))
