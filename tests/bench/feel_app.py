"""The real app under Pilot: each operator gesture timed keystroke → frame painted (see `frames`).

A search is typed untimed and timed from Enter. Before each sort the view's key is set to the one
before it in the cycle, so one `o` lands on the key measured (without loading the others between).
The Inbox's first open is repeated by removing the mode and adding it back: each `2` mounts a fresh
Inbox screen in a warm process. `j` includes the Inbox's debounce before a conversation loads.
"""

from __future__ import annotations

import time
from typing import Any

from textual.pilot import Pilot
from textual.widgets import DataTable

from store.counters import counters
from store.db import Store
from tests.bench.frames import FrameTimer
from tui.app import CallsheetApp, make_app
from tui.screens.inbox import InboxScreen
from tui.screens.pipeline import PipelineScreen

SIZE = (120, 40)
PIPELINE_SEARCHES = ["followers>=100k", "country:FR", "ana", "country:BE followers>=10k", "handle:h9999",
                     "stage:shortlisted", "followers<1000", "country:DE"]
INBOX_SEARCHES = ["casting", "w17", "w2999", "casting w17", "w100", "w2500 casting"]
SORTS = ("name", "followers", "engagement", "last_message")
SORT_BEFORE = {"name": "updated", "followers": "stage", "engagement": "followers",
               "last_message": "fee"}  # the key `o` comes from in the cycle


async def _first_rows(pilot: Pilot[Any], app: CallsheetApp) -> PipelineScreen:
    screen = app.screen
    assert isinstance(screen, PipelineScreen)
    while not (screen.rows and screen.query_one(DataTable).row_count):
        await pilot.pause(0.05)
    await pilot.pause()
    return screen


async def pipeline(store: Store, samples: int) -> dict[str, list[float]]:
    """Next page, the four sorts, then a search typed and applied with Enter."""
    app = make_app(store)
    found: dict[str, list[float]] = {}
    async with app.run_test(size=SIZE) as pilot:
        timer = FrameTimer(app)
        screen = await _first_rows(pilot, app)

        def new_rows(before: list, check=lambda: True):
            return lambda: screen.rows is not before and check()

        found["Pipeline: next page (n)"] = [
            await timer.keys(pilot, ("n",), new_rows(screen.rows)) for _ in range(samples)]
        for key in SORTS:
            times = []
            for _ in range(samples):
                assert screen.view is not None
                screen.view = screen.view.sorted_by(SORT_BEFORE[key])  # so that `o` goes to `key`
                times.append(await timer.keys(pilot, ("o",), new_rows(
                    screen.rows, lambda key=key: screen.view is not None and screen.view.sort == key)))
            found[f"Pipeline: sort o → {key.replace('_', ' ')}"] = times
        times = []
        for n in range(samples):
            text = PIPELINE_SEARCHES[n % len(PIPELINE_SEARCHES)]
            await pilot.press("slash", "ctrl+a", "ctrl+k", *text)  # ctrl+a ctrl+k: empty the field first
            times.append(await timer.keys(pilot, ("enter",), new_rows(
                screen.rows, lambda text=text: screen.view is not None and screen.view.search == text)))
        found["Pipeline: search + Enter"] = times
    return found


def _inbox(app: CallsheetApp) -> InboxScreen | None:
    return app.screen if isinstance(app.screen, InboxScreen) else None


async def inbox(store: Store, samples: int) -> dict[str, list[float]]:
    """The Inbox's first open (a fresh Inbox screen each time), `j`, then full-text searches."""
    app = make_app(store)
    found: dict[str, list[float]] = {}
    async with app.run_test(size=SIZE) as pilot:
        timer = FrameTimer(app)
        await _first_rows(pilot, app)

        def listed() -> bool:
            screen = _inbox(app)
            return screen is not None and bool(screen.conversations.rows)

        opens = []
        for n in range(samples):
            if n:
                await pilot.press("1")
                await pilot.pause()
                await app.remove_mode("inbox")
                app.add_mode("inbox", InboxScreen)  # the next `2` opens the Inbox for the first time
            opens.append(await timer.keys(pilot, ("2",), listed))
        found["Inbox: first open (2)"] = opens
        screen = _inbox(app)
        assert screen is not None
        while screen._shown_id is None:
            await pilot.pause(0.05)

        def opened(before: int | None):
            return lambda: (screen._shown_id != before and screen._shown_id is not None
                            and screen._shown_id == screen.conversations.current_id())

        found["Inbox: j → timeline"] = [
            await timer.keys(pilot, ("j",), opened(screen._shown_id)) for _ in range(samples)]
        times = []
        for n in range(samples):
            text = INBOX_SEARCHES[n % len(INBOX_SEARCHES)]
            await pilot.press("slash", "ctrl+a", "ctrl+k", *text)
            before = screen.conversations.rows
            times.append(await timer.keys(pilot, ("enter",), lambda before=before, text=text: (
                screen.conversations.rows is not before and screen.flt.text == text)))
        found["Inbox: search + Enter"] = times
    return found


def counters_calls(store: Store, samples: int) -> dict[str, list[float]]:
    """`store.counters` of the first campaign, called directly, beside a bare count(*) of its rows."""
    from store import campaigns

    db = store.reader()
    campaign = campaigns.listing(db)[0]
    found: dict[str, list[float]] = {"counters of one campaign": [], "bare count(*)": []}
    for _ in range(samples):
        start = time.perf_counter()
        counters(db, campaign)
        found["counters of one campaign"].append(time.perf_counter() - start)
        start = time.perf_counter()
        db.execute("SELECT count(*) FROM applications WHERE campaign_id = ?", (campaign.id,)).fetchone()
        found["bare count(*)"].append(time.perf_counter() - start)
    return found
