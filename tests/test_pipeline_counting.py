"""A large search is counted after its rows are painted, and a count nobody wants any more is stopped."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import pytest
from textual.widgets import DataTable, Static

from mailer.actions import pipeline
from store.clock import Clock
from store.db import Store
from store.superseded import LongRead, Superseded
from tests.app_helpers import PINNED
from tests.pilot_helpers import until
from tests.pipeline_helpers import add_influencer, add_people, make_campaign
from tui.app import make_app
from tui.screens import pipeline_reads

# A recursive count that only ends when it is interrupted (10^12 steps).
ENDLESS = ("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000000000) "
           "SELECT count(*) FROM n")


def _store(path: Path) -> Store:
    store = Store(path, Clock.fixed(PINNED), actor="tester")
    make_campaign(store, "Big")
    for handle in add_people(store, 12):
        pipeline.apply(store, "Big", handle)
    for handle in ("small1", "small2"):
        add_influencer(store, handle, followers=800)
        pipeline.apply(store, "Big", handle)
    return store


def test_a_superseded_read_stops_inside_sqlite_and_leaves_the_connection_usable(tmp_path: Path) -> None:
    store = _store(tmp_path / "big.db")
    long_read = LongRead()
    outcome: list[str] = []

    def count() -> None:
        db = store.reader()
        try:
            with long_read.running(db):
                db.execute(ENDLESS).fetchone()
            outcome.append("finished")
        except Superseded:
            outcome.append("superseded")
        outcome.append(f"then {db.execute('SELECT count(*) FROM campaigns').fetchone()[0]}")

    worker = threading.Thread(target=count)
    worker.start()
    while worker.is_alive():
        long_read.supersede()  # until the count has started and been stopped
        worker.join(0.01)
    assert outcome == ["superseded", "then 1"]
    long_read.supersede()  # nothing running: a no-op, and the next read is not interrupted
    assert store.reader().execute("SELECT count(*) FROM campaigns").fetchone()[0] == 1


def test_other_errors_are_not_taken_for_a_superseded_read(tmp_path: Path) -> None:
    store = _store(tmp_path / "big.db")
    with pytest.raises(Exception, match="no such table"), LongRead().running(store.reader()):
        store.reader().execute("SELECT * FROM nowhere")


async def test_a_large_search_shows_its_rows_then_its_count(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(pipeline_reads, "INLINE_COUNT_LIMIT", 0)  # every search counts after its rows
    app = make_app(_store(tmp_path / "big.db"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await until(pilot, lambda: screen.total == 14)
        await pilot.press("slash", *"followers<1k", "enter")
        await until(pilot, lambda: screen.view.search == "followers<1k" and screen.counted)
        assert {r.handle for r in screen.rows} == {"small1", "small2"}
        assert screen.total == 2
        assert "rows 1–2 of 2" in str(screen.query_one("#page-info", Static).render())
        assert screen.query_one(DataTable).has_focus  # the table took the focus with its rows


def test_the_opening_read_brings_the_first_page_and_gives_the_switch_interval_back(tmp_path: Path) -> None:
    store = _store(tmp_path / "big.db")
    before = sys.getswitchinterval()
    opening = pipeline_reads.Opening(store)
    choices, page = opening.wait()
    assert [name for name, _id in choices.choices] == ["Big"] and choices.page_follows
    assert page is not None and len(page.rows) == 14 and page.total == 14
    for thread in threading.enumerate():
        if thread.name == "callsheet-opening":
            thread.join()  # the result is handed over just before the interval is given back
    assert sys.getswitchinterval() == before


def test_two_openings_at_once_give_back_the_interval_from_before_both(tmp_path: Path) -> None:
    store = _store(tmp_path / "big.db")
    before = sys.getswitchinterval()
    first, second = pipeline_reads.Opening(store), pipeline_reads.Opening(store)
    assert first.wait()[1] is not None and second.wait()[1] is not None
    for thread in threading.enumerate():
        if thread.name == "callsheet-opening":
            thread.join()
    assert sys.getswitchinterval() == before
