"""The dry run: what the coming days would send, with windows, caps and stop rules; it writes nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from mailer.outreach import dryrun, planner, sequence
from store.clock import Clock
from store.db import Store
from tests.outreach_helpers import accept, add_influencers, fake_send, make_campaign, message, tiny_renderer

RENDER = tiny_renderer()
PARIS = ZoneInfo("Europe/Paris")


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS).astimezone(UTC)


def snapshot(path: Path) -> bytes:
    return b"".join(Path(f"{path}{suffix}").read_bytes() for suffix in ("", "-wal")
                    if Path(f"{path}{suffix}").exists())


def test_dry_run_writes_nothing_and_shows_days_windows_and_caps(db_path: Path) -> None:
    store = Store(db_path, Clock.fixed(paris(2026, 11, 26, 20)), actor="tester")  # Thursday evening
    make_campaign(store, timezone="Europe/Paris", daily_cap=3, windows=["mon-fri 09:00-12:00",
                                                                         "mon-fri 14:00-17:00"])
    add_influencers(store, 8)
    before = snapshot(db_path)
    previews = dryrun.preview(store.reader(), store.clock.now(), 4, RENDER)
    assert snapshot(db_path) == before
    by_day = {}
    for p in previews:
        by_day.setdefault(p.date, []).append(p)
    assert sorted(by_day) == ["2026-11-27", "2026-11-30"], "Saturday and Sunday have no window"
    assert [(p.local_time, p.window, p.cap) for p in by_day["2026-11-27"]] == [
        ("09:00 CET", "mon-fri 09:00-12:00", "1/3"), ("11:00 CET", "mon-fri 09:00-12:00", "2/3"),
        ("15:00 CET", "mon-fri 14:00-17:00", "3/3")]
    assert len({p.handle for p in previews}) == 6, "nobody twice across the days"


def test_dry_run_names_the_stop_rule_that_would_fire(store: Store) -> None:
    store.clock.pinned = paris(2026, 11, 23, 20)
    campaign = make_campaign(store, timezone="Europe/Paris", daily_cap=2)
    ids = add_influencers(store, 2)
    planner.plan(store, date(2026, 11, 24), renderer=RENDER)
    store.clock.pinned = paris(2026, 11, 24, 18)
    fake_send(store, store.clock.now())
    accept(store, campaign, ids[0], paris(2026, 11, 24, 17))
    accept(store, campaign, ids[1], paris(2026, 11, 24, 17))
    sequence.advance(store, renderer=RENDER)
    message(store, ids[0], paris(2026, 11, 24, 17, 30), direction="in")
    previews = dryrun.preview(store.reader(), store.clock.now(), 2, RENDER)
    welcomes = {p.handle: p for p in previews if p.kind == "welcome"}
    assert welcomes["person0"].note == "would stop: stopped_incoming"
    assert welcomes["person1"].note == "would be sent"
    assert welcomes["person1"].local_time == "09:00 CET" and welcomes["person1"].date == "2026-11-25"


def test_planned_days_show_what_is_really_queued(store: Store) -> None:
    store.clock.pinned = paris(2026, 11, 23, 20)
    make_campaign(store, timezone="Europe/Paris", daily_cap=2)
    add_influencers(store, 5)
    planner.plan(store, date(2026, 11, 24), renderer=RENDER)
    previews = dryrun.preview(store.reader(), store.clock.now(), 2, RENDER)
    notes = [(p.date, p.handle, p.note) for p in previews]
    assert sorted(notes) == [("2026-11-24", "person0", "queued"), ("2026-11-24", "person1", "queued"),
                             ("2026-11-25", "person2", "would be planned"),
                             ("2026-11-25", "person3", "would be planned")]
