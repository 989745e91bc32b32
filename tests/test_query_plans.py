"""The hot queries of the Pipeline and the Inbox are served by their indexes, never a scan of a big table.

Each read is run as the panes run it; the SQL SQLite saw (parameters expanded, from the trace
callback) is then explained. The bench (`tests/bench/feel.py`) measures the same at 100,000.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from mailer.actions import pipeline
from store import campaigns, conversations, pipeline_view
from store.conversations import InboxFilter
from store.counters import counters
from store.db import Store
from tests.inbox_helpers import send
from tests.pipeline_helpers import add_people, make_campaign

BIG_TABLES = ("applications", "influencers", "messages", "conversations")
SCANNED = ("a", "i", "m", "c", *BIG_TABLES)  # the big tables by the aliases the queries give them, and names


@pytest.fixture
def filled(store: Store) -> Store:
    make_campaign(store, "Big")
    for handle in add_people(store, 6):
        pipeline.apply(store, "Big", handle)
    for influencer_id in (1, 2):
        send(store, influencer_id, subject="Our casting call")
    return store


def plans(store: Store, read: Callable[[], object]) -> list[str]:
    """The query plan of each SELECT that `read` ran, one line per statement."""
    db = store.reader()
    seen: list[str] = []
    db.conn.set_trace_callback(seen.append)
    try:
        read()
    finally:
        db.conn.set_trace_callback(None)
    selects = [sql for sql in seen if sql.lstrip().upper().startswith(("SELECT", "WITH"))]
    assert selects, "the read ran no query"
    return [" | ".join(row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall())
            for sql in selects]


def _no_scan(lines: list[str]) -> None:
    for line in lines:
        for step in line.split(" | "):
            # A scan of a big table by its alias or name (a covering index scan of one campaign is fine).
            words = step.split()
            assert not (len(words) > 1 and words[0] == "SCAN" and words[1] in SCANNED), line


@pytest.mark.parametrize(("sort", "index"), [
    ("updated", "applications_by_updated"), ("name", "applications_by_sort_name"),
    ("followers", "applications_by_sort_followers"), ("engagement", "applications_by_sort_engagement"),
    ("last_message", "applications_by_last_message_at")])
def test_each_pipeline_sort_reads_its_page_through_its_index(filled: Store, sort: str, index: str) -> None:
    db, now = filled.reader(), filled.clock.now()
    view = pipeline_view.View(campaigns.listing(db)[0].id).sorted_by(sort)
    lines = plans(filled, lambda: pipeline_view.page(db, view, now, limit=100))
    assert f"USING INDEX {index} (campaign_id=?)" in lines[0], lines
    assert "TEMP B-TREE" not in lines[0], lines  # the order comes from the index, not a sort step
    _no_scan(lines)


def test_the_search_count_and_the_counters_read_no_whole_table(filled: Store) -> None:
    db, now = filled.reader(), filled.clock.now()
    campaign = campaigns.listing(db)[0]
    view = pipeline_view.View(campaign.id, search="country:FR")
    count = plans(filled, lambda: pipeline_view.count(db, view, now))
    assert "USING INDEX applications_counters" in count[0], count
    numbers = plans(filled, lambda: counters(db, campaign))
    assert any("USING COVERING INDEX applications_counters" in line for line in numbers), numbers
    _no_scan(count + numbers)


def test_the_inbox_page_and_its_search_are_index_served(filled: Store) -> None:
    db, now = filled.reader(), filled.now_iso()
    page = plans(filled, lambda: conversations.page(db, InboxFilter(), now=now, limit=100))
    assert "USING INDEX conversations_order" in page[0], page
    searched = plans(filled, lambda: conversations.page(db, replace(InboxFilter(), text="casting"), now=now,
                                                         limit=100))
    assert any("VIRTUAL TABLE INDEX" in line and "messages_owner" in line for line in searched), searched
    _no_scan(page + searched)
