"""Conversations in the store: matching, summaries, search, read state, timeline, bounces."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mailer.imap.parse import parse
from store import audit, bounces, conversations, inbound, inbox, notes, timeline
from store.conversations import InboxFilter
from store.db import Store
from store.errors import UserError
from tests.inbox_helpers import add_campaign, add_influencer, dsn_mail, raw_mail, send

NOW = "2026-11-23T10:00:00+00:00"


def receive(store: Store, raw: bytes) -> inbound.Saved:
    with store.write() as db:
        return inbound.save(db, parse(raw), now=store.now_iso(), actor=store.actor)


def listed(store: Store, flt: InboxFilter | None = None) -> list[str]:
    rows = conversations.page(store.reader(), flt or InboxFilter(), now=NOW)
    return [row.handle for row in rows]


def recomputed(store: Store) -> list[tuple]:
    """The summaries computed from scratch, to compare with what the triggers maintained.

    A conversation's time is its latest mail received (Date) or sent; unsent mail has none.
    """
    return store.writer.execute(
        """SELECT influencer_id, scope, coalesce(max(at), ''), sum(is_read = 0), count(*)
           FROM (SELECT *, CASE WHEN direction = 'in' THEN created_at
                                WHEN coalesce(status, 'sent') = 'sent' THEN coalesce(sent_at, created_at)
                           END AS at
                 FROM (SELECT *, 0 AS scope FROM messages UNION ALL
                       SELECT *, campaign_id AS scope FROM messages WHERE campaign_id IS NOT NULL))
           WHERE influencer_id IS NOT NULL
             AND (direction = 'in' OR coalesce(status, '') NOT IN ('planned', 'skipped'))
           GROUP BY influencer_id, scope ORDER BY 1, 2"""
    ).fetchall()


def maintained(store: Store) -> list[tuple]:
    return store.writer.execute(
        "SELECT influencer_id, campaign_id, last_at, unread, total FROM conversations ORDER BY 1, 2"
    ).fetchall()


def test_reply_threaded_by_in_reply_to_goes_to_that_influencer_and_campaign(store: Store) -> None:
    campaign = add_campaign(store)
    ana = add_influencer(store, "ana")
    sent = send(store, ana, campaign_id=campaign)
    # Sent from an address we do not know: only the thread can tell who it is.
    saved = receive(store, raw_mail("assistant@agency.example", message_id="<r1@x>", in_reply_to=sent))
    assert (saved.match.influencer_id, saved.match.campaign_id, saved.match.how) == (ana, campaign, "thread")
    row = store.writer.execute(
        "SELECT direction, kind, status, is_read, in_reply_to FROM messages WHERE id = ?", (saved.row_id,)
    ).fetchone()
    assert row == ("in", "reply", None, 0, sent)


def test_broken_thread_headers_fall_back_to_the_sender_address(store: Store) -> None:
    campaign = add_campaign(store)
    ana = add_influencer(store, "ana", email="Ana@mail.example")
    send(store, ana, campaign_id=campaign)
    saved = receive(store, raw_mail("ANA <Ana@MAIL.example>", message_id="<r2@x>",
                                    in_reply_to="garbage-without-at", references="<unknown@nowhere>"))
    assert (saved.match.influencer_id, saved.match.campaign_id, saved.match.how) == (ana, campaign, "address")


def test_address_match_ignores_case_of_the_local_part(store: Store) -> None:
    ana = add_influencer(store, "ana", email="ana.lima@mail.example")
    saved = receive(store, raw_mail("ANA.LIMA@mail.example", message_id="<r3@x>"))
    assert saved.match.influencer_id == ana


def test_unknown_sender_is_kept_aside_and_attachable(store: Store) -> None:
    ana = add_influencer(store, "ana")
    saved = receive(store, raw_mail("stranger@else.example", message_id="<r4@x>"))
    assert saved.match.influencer_id is None and not saved.duplicate
    assert [row["id"] for row in inbox.unmatched(store.reader())] == [saved.row_id]
    assert listed(store) == []
    with store.write() as db:
        inbox.attach(db, saved.row_id, "ana", now=NOW, actor="tester")
    assert inbox.unmatched(store.reader()) == []
    assert listed(store) == ["ana"]
    assert [e["kind"] for e in timeline.entries(store.reader(), ana)] == ["reply", "message.attached"]


def test_attach_refuses_our_own_messages_and_unknown_ids(store: Store) -> None:
    ana = add_influencer(store, "ana")
    send(store, ana)
    with store.write() as db, pytest.raises(UserError, match="only received mail"):
        inbox.attach(db, 1, "ana", now=NOW, actor="tester")
    with store.write() as db, pytest.raises(UserError, match="no message #99"):
        inbox.attach(db, 99, "ana", now=NOW, actor="tester")


def test_same_message_twice_is_stored_once(store: Store) -> None:
    ana = add_influencer(store, "ana")
    first = receive(store, raw_mail("ana@mail.example", message_id="<dup@x>"))
    again = receive(store, raw_mail("ana@mail.example", body="a different body", message_id="<dup@x>"))
    assert not first.duplicate and again.duplicate
    count = store.writer.execute("SELECT count(*) FROM messages WHERE influencer_id = ?", (ana,))
    assert count.fetchone()[0] == 1


def test_delivery_report_marks_the_influencer_bounced_and_the_message(store: Store) -> None:
    ana = add_influencer(store, "ana", email="gone@mail.example")
    sent = send(store, ana)
    saved = receive(store, dsn_mail("gone@mail.example", sent))
    assert saved.bounced_influencer == ana
    db = store.writer
    assert db.execute("SELECT bounced FROM influencers WHERE id = ?", (ana,)).fetchone()[0] == 1
    assert "bounced" in db.execute("SELECT flags FROM messages WHERE message_id = ?", (sent,)).fetchone()[0]
    [row] = bounces.listing(db)
    assert row["handle"] == "ana" and row["bounce_reason"].startswith("5.1.1")
    report = bounces.report(db, ana)
    assert b"multipart/report" in report["raw"]
    # The outbox now refuses them: suppression is the point of marking.
    assert send(store, ana, status="queued") and db.execute(
        "SELECT status FROM messages ORDER BY id DESC LIMIT 1").fetchone()[0] == "skipped"
    with store.write() as w:
        bounces.clear(w, "ana", now=NOW, actor="tester")
    assert db.execute("SELECT bounced FROM influencers WHERE id = ?", (ana,)).fetchone()[0] == 0
    assert [e["action"] for e in audit.events(db)][-2:] == ["influencer.bounced", "influencer.bounce_cleared"]
    with store.write() as w, pytest.raises(UserError, match="not marked as bounced"):
        bounces.clear(w, "ana", now=NOW, actor="tester")


def test_delay_report_does_not_suppress(store: Store) -> None:
    ana = add_influencer(store, "ana", email="slow@mail.example")
    sent = send(store, ana)
    saved = receive(store, dsn_mail("slow@mail.example", sent, status="4.4.1", action="delayed"))
    assert saved.bounced_influencer is None and saved.match.influencer_id == ana
    assert store.writer.execute("SELECT bounced FROM influencers").fetchone()[0] == 0


def test_unread_first_then_latest(store: Store) -> None:
    ids = {h: add_influencer(store, h) for h in ("ana", "bo", "cy", "di")}
    for handle in ("ana", "bo", "cy", "di"):
        send(store, ids[handle])
        store.clock.advance(timedelta(minutes=1))
    receive(store, raw_mail("ana@mail.example", message_id="<a1@x>", date="2026-11-23T10:00:30+00:00"))
    receive(store, raw_mail("bo@mail.example", message_id="<b1@x>", date="2026-11-23T10:01:30+00:00"))
    # Both unread, newest first; then the read ones, newest first.
    assert listed(store) == ["bo", "ana", "di", "cy"]
    with store.write() as db:
        inbox.mark_read(db, ids["bo"], now=NOW, actor="tester")
    assert listed(store) == ["ana", "di", "cy", "bo"]
    assert listed(store, InboxFilter(unread_only=True)) == ["ana"]
    with store.write() as db:
        assert inbox.toggle_unread(db, ids["bo"], now=NOW, actor="tester") is True
    assert listed(store)[:2] == ["bo", "ana"]
    assert maintained(store) == recomputed(store)


def test_keyset_pages_cover_everything_once(store: Store) -> None:
    handles = [f"inf{i:02d}" for i in range(23)]
    for index, handle in enumerate(handles):
        influencer = add_influencer(store, handle)
        send(store, influencer)
        if index % 3 == 0:
            receive(store, raw_mail(f"{handle}@mail.example", message_id=f"<p{index}@x>"))
        store.clock.advance(timedelta(seconds=10))
    seen, after = [], None
    while True:
        rows = conversations.page(store.reader(), now=NOW, after=after, limit=5)
        seen += [r.handle for r in rows]
        if len(rows) < 5:
            break
        after = conversations.cursor_after(rows[-1])
    assert seen == listed(store) and sorted(seen) == handles


def test_campaign_and_bookmark_filters(store: Store) -> None:
    spring, autumn = add_campaign(store, "spring"), add_campaign(store, "autumn")
    ana, bo = add_influencer(store, "ana"), add_influencer(store, "bo")
    send(store, ana, campaign_id=spring)
    send(store, bo, campaign_id=autumn)
    assert listed(store, InboxFilter(campaign_id=spring)) == ["ana"]
    assert listed(store, InboxFilter(campaign_id=autumn)) == ["bo"]
    with store.write() as db:
        assert inbox.toggle_bookmark(db, bo, now=NOW, actor="tester") is True
    assert listed(store, InboxFilter(bookmarked=True)) == ["bo"]


def test_planned_and_skipped_mail_do_not_open_a_conversation(store: Store) -> None:
    ana = add_influencer(store, "ana")
    send(store, ana, status="planned")
    assert listed(store) == []
    with store.write() as db:
        db.conn.execute("UPDATE messages SET status = 'queued' WHERE influencer_id = ?", (ana,))
    assert listed(store) == ["ana"]
    with store.write() as db:
        db.conn.execute("UPDATE messages SET status = 'skipped' WHERE influencer_id = ?", (ana,))
    assert listed(store) == []
    assert maintained(store) == recomputed(store)


def test_summaries_follow_every_kind_of_write(store: Store) -> None:
    spring, autumn = add_campaign(store, "spring"), add_campaign(store, "autumn")
    ana, bo = add_influencer(store, "ana"), add_influencer(store, "bo")
    send(store, ana, campaign_id=spring)
    send(store, bo, campaign_id=autumn)
    stray = receive(store, raw_mail("x@else.example", message_id="<s@x>"))
    receive(store, raw_mail("ana@mail.example", message_id="<a@x>"))
    with store.write() as db:
        inbox.attach(db, stray.row_id, "bo", now=NOW, actor="tester")
        db.conn.execute("UPDATE messages SET campaign_id = ? WHERE message_id = '<a@x>'", (autumn,))
        db.conn.execute("UPDATE messages SET created_at = '2026-01-01T00:00:00+00:00' WHERE id = 1")
        db.conn.execute("DELETE FROM messages WHERE id = 2")
    assert maintained(store) == recomputed(store)


def test_full_text_search_finds_conversations_by_words(store: Store) -> None:
    ana, bo = add_influencer(store, "ana"), add_influencer(store, "bo")
    send(store, ana, subject="Skincare launch", body="We love your reels")
    send(store, bo, subject="Coffee tasting", body="Join our barista day")
    receive(store, raw_mail("bo@mail.example", body="Happy to film a café vlog", message_id="<c@x>"))
    assert listed(store, InboxFilter(text="skincare")) == ["ana"]
    assert listed(store, InboxFilter(text="barista")) == ["bo"]
    assert listed(store, InboxFilter(text="cafe")) == ["bo"]  # diacritics folded
    assert listed(store, InboxFilter(text="vlo")) == []
    assert listed(store, InboxFilter(text="vlo*")) == ["bo"]  # a prefix when asked for
    assert listed(store, InboxFilter(text='"love your"')) == ["ana"]
    assert listed(store, InboxFilter(text="skincare barista")) == []
    assert listed(store, InboxFilter(text='reels" ( NEAR')) == []  # FTS syntax is inert: NEAR is a word
    assert listed(store, InboxFilter(text='reels" (*')) == ["ana"]
    assert listed(store, InboxFilter(text="ree*")) == ["ana"]
    with pytest.raises(UserError, match="at least one word"):
        listed(store, InboxFilter(text='"" *'))


def test_search_follows_edited_text(store: Store) -> None:
    ana = add_influencer(store, "ana")
    send(store, ana, body="first draft")
    with store.write() as db:
        db.conn.execute("UPDATE messages SET body = 'second version' WHERE influencer_id = ?", (ana,))
    assert listed(store, InboxFilter(text="draft")) == []
    assert listed(store, InboxFilter(text="version")) == ["ana"]


def test_split_search_separates_query_terms() -> None:
    assert conversations.split_search('tag:beauty "media kit" followers>=1000 rates') == (
        '"media kit" rates', "tag:beauty followers>=1000")
    assert conversations.split_search("(country:FR OR country:BE) fee") == (
        "fee", "(country:FR OR country:BE)")
    assert conversations.split_search("kit") == ("kit", "")
    assert conversations.split_search("ana OR bo") == ("", "(ana OR bo)")


def test_search_combines_full_text_with_the_query_syntax(store: Store) -> None:
    ana = add_influencer(store, "ana", tags='["beauty"]', country="FR")
    bo = add_influencer(store, "bo", tags='["food"]', country="FR")
    send(store, ana, body="Your media kit please")
    send(store, bo, body="Your media kit please")
    words, query = conversations.split_search("tag:beauty kit")
    assert listed(store, InboxFilter(text=words, query=query)) == ["ana"]
    assert listed(store, InboxFilter(query="country:fr")) == ["bo", "ana"]
    with pytest.raises(UserError):
        listed(store, InboxFilter(query="followers>>"))


def test_timeline_merges_messages_notes_and_events(store: Store) -> None:
    spring, autumn = add_campaign(store, "spring"), add_campaign(store, "autumn")
    ana = add_influencer(store, "ana")
    send(store, ana, subject="Invite spring", campaign_id=spring)
    store.clock.advance(timedelta(minutes=5))
    with store.write() as db:
        application = db.conn.execute(
            """INSERT INTO applications (influencer_id, campaign_id, source, stage, created_at, updated_at)
               VALUES (?, ?, 'invited', 'to review', ?, ?)""", (ana, spring, NOW, NOW)).lastrowid
        audit.record(db, at=store.now_iso(), actor="tester", action="application.stage", entity="application",
                     entity_id=application, campaign_id=spring, **{"from": "invited", "to": "to review"})
        audit.record(db, at=store.now_iso(), actor="disp", action="message.claimed", entity="message",
                     entity_id=1, campaign_id=spring)
    store.clock.advance(timedelta(minutes=5))
    with store.write() as db:
        notes.add(db, ana, "Prefers video calls", author="tester", now=store.now_iso())
    store.clock.advance(timedelta(minutes=5))
    send(store, ana, subject="Invite autumn", campaign_id=autumn)
    everything = timeline.entries(store.reader(), ana)
    assert [(e["entry"], e["subject"]) for e in everything] == [
        ("message", "Invite spring"), ("event", "invited → to review"),
        ("note", "Prefers video calls"), ("message", "Invite autumn")]
    spring_only = timeline.entries(store.reader(), ana, spring)
    assert [e["subject"] for e in spring_only] == [
        "Invite spring", "invited → to review", "Prefers video calls"]


def test_reply_stops_follow_ups_from_the_time_it_arrives(store: Store) -> None:
    ana = add_influencer(store, "ana")
    invited_at = store.now_iso()
    send(store, ana)
    assert not inbox.replied_since(store.reader(), ana, invited_at)
    store.clock.advance(timedelta(days=2))
    receive(store, raw_mail("ana@mail.example", message_id="<yes@x>", date="2026-11-25T08:00:00+00:00"))
    assert inbox.replied_since(store.reader(), ana, invited_at)
    assert not inbox.replied_since(store.reader(), ana, (store.clock.now() + timedelta(days=1)).isoformat())


def test_bounces_do_not_count_as_replies(store: Store) -> None:
    ana = add_influencer(store, "ana")
    receive(store, dsn_mail("ana@mail.example", send(store, ana)))
    assert not inbox.replied_since(store.reader(), ana, NOW)


def test_future_dates_are_clamped_to_now(store: Store) -> None:
    add_influencer(store, "ana")
    saved = receive(store, raw_mail("ana@mail.example", message_id="<f@x>", date="2030-01-01T00:00:00+00:00"))
    assert store.writer.execute("SELECT created_at FROM messages WHERE id = ?",
                                (saved.row_id,)).fetchone()[0] == NOW
