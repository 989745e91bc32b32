"""The Outbox's sent list in sending order: newest sent first, ties by id, read along an index."""

from __future__ import annotations

from store.outbox.admin import outbox_rows, outbox_sql
from tests.dispatch_helpers import queue


def _sent(store, ids_and_times: list[tuple[int, str]]) -> None:
    with store.write() as db:
        for message, at in ids_and_times:
            db.conn.execute("UPDATE messages SET status = 'sent', sent_at = ? WHERE id = ?", [at, message])


def test_sent_mail_is_listed_by_sending_time_not_by_id(store) -> None:
    first, second, third, fourth = queue(store, 4)
    # Written in id order, sent out of it (a retry, a later window): 11-18 goes below 11-20.
    _sent(store, [(first, "2026-11-20T09:00:00+00:00"), (second, "2026-11-18T09:00:00+00:00"),
                  (third, "2026-11-20T09:00:00+00:00"), (fourth, "2026-11-19T17:30:00+00:00")])
    reader = store.reader()
    listed = outbox_rows(reader, ("sent",), 10, newest_first=True)
    assert [r.id for r in listed] == [third, first, fourth, second], "newest sent first, ties by id"
    assert [r.id for r in outbox_rows(reader, ("sent",), 2, 1, newest_first=True)] == [first, fourth]
    assert [r.id for r in outbox_rows(reader, ("sent", "queued"), 10, newest_first=True)] == [
        fourth, third, second, first], "a mixed history stays the latest written first"


def test_the_sent_page_is_read_along_an_index_without_sorting(store) -> None:
    plan = " | ".join(row[3] for row in store.writer.execute(
        f"EXPLAIN QUERY PLAN {outbox_sql(('sent',), True)}", {"limit": 500, "offset": 0}).fetchall())
    assert "messages_sent_order" in plan, plan
    assert "TEMP B-TREE" not in plan, plan
