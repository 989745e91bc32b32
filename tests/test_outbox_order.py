"""The Outbox's sent list in sending order: newest sent first, ties by id, read along an index."""

from __future__ import annotations

from store.outbox.admin import VIEW_STATUSES, outbox_rows, outbox_sql
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
        third, first, fourth, second], "a mixed history by time too, not by id"


def test_the_sent_page_is_read_along_an_index_without_sorting(store) -> None:
    plan = " | ".join(row[3] for row in store.writer.execute(
        f"EXPLAIN QUERY PLAN {outbox_sql(('sent',), True)}",
        {"limit": 500, "offset": 0, "now": None}).fetchall())
    assert "messages_sent_order" in plan, plan
    assert "TEMP B-TREE" not in plan, plan


def _set(store, message: int, **columns: str) -> None:
    with store.write() as db:
        assigned = ", ".join(f"{name} = ?" for name in columns)
        db.conn.execute(f"UPDATE messages SET {assigned} WHERE id = ?", [*columns.values(), message])


def test_skipped_and_all_are_newest_first_by_time_with_the_id_breaking_ties(store) -> None:
    """Skipped mail by when it was skipped (last written), `all` by the time each row is listed at
    (sent, due, else last written) — not by id, which is when it was first written."""
    first, second, third, fourth, fifth = queue(store, 5)
    _set(store, first, status="skipped", updated_at="2026-11-22T09:00:00+00:00")
    _set(store, second, status="skipped", updated_at="2026-11-20T09:00:00+00:00")
    _set(store, third, status="skipped", updated_at="2026-11-22T09:00:00+00:00")  # ties with the first
    _set(store, fourth, status="sent", sent_at="2026-11-21T09:00:00+00:00")
    _set(store, fifth, status="queued", next_attempt_at="2026-11-19T09:00:00+00:00")
    reader = store.reader()
    skipped = outbox_rows(reader, ("skipped",), 10, newest_first=True)
    assert [r.id for r in skipped] == [third, first, second]
    assert [r.listed_at for r in skipped][-1] == "2026-11-20T09:00:00+00:00"
    everything = outbox_rows(reader, VIEW_STATUSES, 10, newest_first=True)
    assert [r.id for r in everything] == [third, first, fourth, second, fifth]


async def test_the_outbox_screen_lists_skipped_mail_newest_first_showing_when(store) -> None:
    from tests.pilot_helpers import until
    from tui.app import make_app
    from tui.screens.outbox import OutboxScreen

    first, second, third = queue(store, 3)
    _set(store, first, status="skipped", updated_at="2026-11-22T09:00:00+00:00")
    _set(store, second, status="skipped", updated_at="2026-11-23T08:00:00+00:00")
    _set(store, third, status="skipped", updated_at="2026-11-20T09:00:00+00:00")
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("4")
        screen = app.screen
        assert isinstance(screen, OutboxScreen)
        while screen.listing.name != "skipped":
            await pilot.press("f")
        await until(pilot, lambda: len(screen.rows) == 3)
        assert [(row[0], row[3]) for row in screen.rows] == [
            (second, "2026-11-23 08:00"), (first, "2026-11-22 09:00"), (third, "2026-11-20 09:00")]
