"""What the Pipeline mode reads from SQLite, off the UI thread: pages, and the opening read at start-up.

The opening (the picker's choices and the first campaign's first page) starts in a thread of its own
as the app is built, so it runs while Textual composes the first frame instead of after it.
"""

from __future__ import annotations

import sys
import threading
from concurrent.futures import Future
from datetime import datetime
from typing import Any

from store import campaigns, pipeline_view
from store.counters import counters
from store.database import Database
from store.db import Store
from store.pipeline_view import ApplicationRow, Totals, View
from tui.screens.pipeline_messages import CampaignsLoaded, PageLoaded

PAGE_SIZE = 100
# A search over a campaign slice this large is counted inline with its page; a larger one is counted
# after the page is painted (PageCounted), so the rows never wait on a count of 100,000 joins.
INLINE_COUNT_LIMIT = 5_000
# While the main thread builds the first frame, the opening read needs the GIL back after each row
# SQLite steps through: at Python's 5 ms switch interval the first page took 160-270 ms, not its 7 ms.
OPENING_SWITCH_INTERVAL = 0.0002
_opening_lock = threading.Lock()
_openings: list[float] = []  # the interval before the first opening still reading (one per reading)


def read_page(store: Store, view: View, fetch: dict[str, Any], cursor: int | None, totals: Totals,
              version: int) -> PageLoaded:
    """The page, with its count and position when they are cheap (the screen's `count_page` reads
    them otherwise), the campaign's counters and its applications per day."""
    db, now = store.reader(), store.clock.now()
    rows = pipeline_view.page(db, view, now, limit=PAGE_SIZE, **fetch)
    campaign = campaigns.get_by_id(db, view.campaign_id)
    numbers = counters(db, campaign) | {"state": campaigns.state_text(campaign),
                                        "collaborated_at": campaign.collaborated_at}
    per_day = pipeline_view.per_day(db, view.campaign_id, now)
    cheap = not view.search.strip() or pipeline_view.slice_size(db, view) <= INLINE_COUNT_LIMIT
    total = totals.count(db, view, now, version) if cheap else totals.known(view, now, version)
    offset = 0 if not fetch or not rows else None
    if offset is None and (cheap or total is not None and fetch.get("last")):
        offset = offset_of(db, view, now, fetch, rows, total)
    return PageLoaded(view, fetch, rows, total, offset, numbers, per_day, cursor)


def offset_of(db: Database, view: View, now: datetime, fetch: dict[str, Any], rows: list[ApplicationRow],
              total: int | None) -> int:
    """How many rows of the view come before `rows`."""
    if not rows:
        return 0
    if fetch.get("last") and total is not None:
        return max(0, total - len(rows))
    return pipeline_view.position(db, view, now, pipeline_view.bound_of(rows[0]))


def read_campaigns(store: Store, totals: Totals, version: int,
                   first_page: bool) -> tuple[CampaignsLoaded, PageLoaded | None]:
    """The picker's choices, and with `first_page` the first campaign's first page (one trip, not two)."""
    rows = campaigns.listing(store.reader())
    opening = first_page and bool(rows)
    choices = CampaignsLoaded([(row.name, row.id) for row in rows], page_follows=opening)
    return choices, read_page(store, View(rows[0].id), {}, 0, totals, version) if opening else None


def _quicken() -> None:
    """The opening's switch interval; several openings at once (two apps in one process) share it."""
    with _opening_lock:
        _openings.append(_openings[0] if _openings else sys.getswitchinterval())
        sys.setswitchinterval(OPENING_SWITCH_INTERVAL)


def _slow_down() -> None:
    """The interval from before the first opening, once the last one has read."""
    with _opening_lock:
        before = _openings.pop()
        if not _openings:
            sys.setswitchinterval(before)


class Opening:
    """The first read of the Pipeline, started in its own thread as soon as the app is built."""

    def __init__(self, store: Store) -> None:
        self._result: Future[tuple[CampaignsLoaded, PageLoaded | None]] = Future()
        _quicken()  # until the read is done (a few tens of ms)
        # A daemon: a start-up that fails or quits at once never waits on it.
        threading.Thread(target=self._read, args=(store,), name="callsheet-opening", daemon=True).start()

    def _read(self, store: Store) -> None:
        try:
            # Version -1: no count is cached from it, the first refresh counts afresh.
            self._result.set_result(read_campaigns(store, Totals(), -1, first_page=True))
        except BaseException as error:  # noqa: BLE001  handed to whoever waits, as a worker would
            self._result.set_exception(error)
        finally:
            _slow_down()

    def ready(self) -> tuple[CampaignsLoaded, PageLoaded | None] | None:
        """The messages if the read is done and went well; None otherwise (then `wait` in a worker)."""
        if self._result.done() and self._result.exception() is None:
            return self._result.result()
        return None

    def wait(self) -> tuple[CampaignsLoaded, PageLoaded | None]:
        """The messages, once read (raises what the read raised)."""
        return self._result.result()
