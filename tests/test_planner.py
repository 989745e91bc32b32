"""The planner over weeks of fake time: caps, windows, weekends, DST, spread, idempotence, flags."""

from __future__ import annotations

import json
import math
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from mailer.outreach import planner
from store.campaigns import Campaign
from store.clock import Clock, from_iso
from store.db import Store
from store.outreach_rules import schedule
from tests.outreach_helpers import add_influencers, fake_send, make_campaign, rows, tiny_renderer

RENDER = tiny_renderer()


def evening_before(day: date, zone: str) -> datetime:
    return datetime.combine(day - timedelta(days=1), datetime.min.time(), ZoneInfo(zone)).replace(
        hour=20).astimezone(UTC)


def invitations(store: Store, campaign_id: int | None = None) -> list[dict]:
    where = "AND campaign_id = ?" if campaign_id else ""
    return rows(store, f"SELECT m.*, i.handle FROM messages m JOIN influencers i ON i.id = m.influencer_id "
                       f"WHERE kind = 'invitation' {where} ORDER BY scheduled_at, m.id",
                (campaign_id,) if campaign_id else ())


def check_day(store: Store, campaign: Campaign, day: date, expected: int,
              not_before: datetime | None = None) -> list[datetime]:
    tz = ZoneInfo(campaign.timezone)
    planned = [r for r in invitations(store, campaign.id) if r["plan_date"] == day.isoformat()]
    assert len(planned) == expected, (campaign.name, day)
    times = [from_iso(r["scheduled_at"]) for r in planned]
    slots = schedule.slots_on(day, campaign.windows, tz)
    for moment in times:
        local = moment.astimezone(tz)
        assert local.date() == day
        assert any(slot.contains(moment) for slot in slots), local
        wall = local.replace(tzinfo=None)
        assert wall.replace(tzinfo=tz, fold=local.fold).astimezone(UTC) == moment, "a real local time"
    hours = schedule.open_seconds(slots, not_before) / 3600
    if times:
        per_hour = Counter(t.replace(minute=0, second=0) for t in times)
        assert max(per_hour.values()) <= math.ceil(expected / hours) + 1
    return times


@pytest.mark.parametrize(("zone", "window", "days"), [
    ("Europe/Paris", "mon-fri 09:00-18:00", ["2026-03-27", "2026-03-28", "2026-03-29", "2026-03-30"]),
    ("Europe/Paris", "daily 01:00-03:00", ["2026-03-28", "2026-03-29", "2026-03-30"]),
    ("Europe/Paris", "mon-fri 09:00-18:00", ["2026-10-23", "2026-10-24", "2026-10-25", "2026-10-26"]),
    ("Europe/Paris", "daily 01:00-03:00", ["2026-10-24", "2026-10-25", "2026-10-26"]),
    ("America/New_York", "mon-fri 09:00-18:00", ["2026-03-06", "2026-03-07", "2026-03-08", "2026-03-09"]),
    ("America/New_York", "daily 01:00-03:00", ["2026-11-01"]),
    ("Asia/Kolkata", "mon-fri 09:30-17:30", ["2026-03-27", "2026-03-30"]),
    ("Australia/Adelaide", "daily 01:00-03:00", ["2026-04-04", "2026-04-05", "2026-04-06"]),
    ("Atlantic/Azores", "daily 00:00-02:00", ["2026-03-28", "2026-03-29", "2026-03-30"]),
    ("America/Santiago", "daily 00:00-02:00", ["2026-09-05", "2026-09-06", "2026-09-07"]),
])
def test_r8_each_day_gets_the_cap_inside_its_local_window(
        db_path, zone: str, window: str, days: list[str]) -> None:
    clock = Clock.fixed(evening_before(date.fromisoformat(days[0]), zone))
    store = Store(db_path, clock, actor="tester")
    campaign = make_campaign(store, timezone=zone, windows=[window], daily_cap=50)
    add_influencers(store, 400)
    for text in days:
        day = date.fromisoformat(text)
        clock.pinned = evening_before(day, zone)
        _, [result] = planner.plan(store, day, renderer=RENDER)
        expected = 50 if schedule.slots_on(day, campaign.windows, ZoneInfo(zone)) else 0
        assert result.planned == expected
        check_day(store, campaign, day, expected)
        _, [again] = planner.plan(store, day, renderer=RENDER)
        assert again.already_planned and again.planned == 0
        check_day(store, campaign, day, expected)
    handles = [r["handle"] for r in invitations(store)]
    assert len(handles) == len(set(handles)), "nobody is invited twice"
    store.close()


def test_weeks_of_planning_respect_caps_weekends_and_exhaust_the_segment(store: Store) -> None:
    clock = store.clock
    make_campaign(store, timezone="Europe/Paris", daily_cap=20)
    add_influencers(store, 130)
    add_influencers(store, 5, start=1000, unsubscribed=1)
    add_influencers(store, 5, start=2000, bounced=1)
    day = date(2026, 11, 23)
    per_day = {}
    for _ in range(21):
        clock.pinned = evening_before(day, "Europe/Paris")
        _, [result] = planner.plan(store, day, renderer=RENDER)
        per_day[day] = result.planned
        fake_send(store, clock.now() + timedelta(days=1))
        day += timedelta(days=1)
    weekdays = [d for d in per_day if d.weekday() < 5]
    assert all(per_day[d] == 0 for d in per_day if d.weekday() >= 5)
    assert [per_day[d] for d in weekdays][:7] == [20, 20, 20, 20, 20, 20, 10]
    assert sum(per_day.values()) == 130
    suppressed = rows(store, "SELECT count(*) AS n FROM messages WHERE influencer_id IN "
                             "(SELECT id FROM influencers WHERE unsubscribed OR bounced)")
    assert suppressed[0]["n"] == 0
    applications = rows(store, "SELECT source, stage, count(*) AS n FROM applications GROUP BY 1, 2")
    assert applications == [{"source": "invited", "stage": "invited", "n": 130}]


def test_already_in_the_pipeline_or_contacted_are_skipped(store: Store) -> None:
    campaign = make_campaign(store, timezone="UTC", daily_cap=10)
    ids = add_influencers(store, 6)
    with store.write() as db:
        db.conn.execute("INSERT INTO applications (influencer_id, campaign_id, source, stage, created_at, "
                        "updated_at) VALUES (?, ?, 'applied', 'to_review', 'x', 'x')",
                        (ids[0], campaign.id))
        db.conn.execute("INSERT INTO messages (influencer_id, campaign_id, direction, kind, status, "
                        "created_at, updated_at) VALUES (?, ?, 'out', 'manual', 'sent', 'x', 'x')",
                        (ids[1], campaign.id))
    _, [result] = planner.plan(store, date(2026, 11, 24), renderer=RENDER)
    assert result.planned == 4
    assert {r["influencer_id"] for r in invitations(store)} == set(ids[2:])


def test_invitations_render_in_each_language_and_flags_stand_out(store: Store) -> None:
    make_campaign(store, timezone="Europe/Paris", daily_cap=10, languages=["fr", "en"], invite_limit=60)
    add_influencers(store, 2, language="fr")
    add_influencers(store, 2, start=10, language="en")
    add_influencers(store, 1, start=20, language="de")
    long_fr = {("invitation", "fr"): ("S", "Bonjour {{ first_name }} " + "très " * 20)}
    _, [result] = planner.plan(store, date(2026, 11, 24), renderer=tiny_renderer())
    assert result.planned == 5 and result.flagged == 0
    by_handle = {r["handle"]: r for r in invitations(store)}
    assert by_handle["person0"]["language"] == "fr" and by_handle["person0"]["body"].startswith("Bonjour P0")
    assert by_handle["person10"]["language"] == "en" and by_handle["person10"]["body"].startswith("Hi P10")
    assert by_handle["person20"]["language"] == "fr", "falls back to the campaign's first language"
    assert all(r["status"] == "queued" for r in by_handle.values())

    make_campaign(store, "Long", timezone="Europe/Paris", daily_cap=10, languages=["fr", "en"],
                  invite_limit=60)
    _, results = planner.plan(store, date(2026, 11, 24), campaign="Long", renderer=tiny_renderer(long_fr))
    assert results[0].planned == 5 and results[0].flagged == 3
    flagged = [r for r in invitations(store) if r["campaign_id"] == 2 and r["status"] == "planned"]
    assert len(flagged) == 3 and all(json.loads(r["flags"]) == ["over_limit"] for r in flagged)


def test_missing_data_is_planned_flagged_not_queued(store: Store) -> None:
    make_campaign(store, timezone="UTC", daily_cap=10)
    add_influencers(store, 2, custom={"shoe": 42})
    add_influencers(store, 1, start=5)
    needs = {("invitation", "en"): ("S", "Hi {{ first_name }}, size {{ shoe }}?")}
    _, [result] = planner.plan(store, date(2026, 11, 24), renderer=tiny_renderer(needs))
    assert (result.planned, result.flagged) == (3, 1)
    [bad] = [r for r in invitations(store) if r["status"] == "planned"]
    assert bad["handle"] == "person5" and json.loads(bad["flags"]) == ["missing_data"]
    assert "shoe" in bad["body"]


def test_plan_today_only_uses_what_is_left_of_the_window(store: Store) -> None:
    store.clock.pinned = datetime(2026, 11, 24, 15, tzinfo=UTC)  # 16:00 in Paris
    campaign = make_campaign(store, timezone="Europe/Paris", daily_cap=8)
    add_influencers(store, 10)
    _, [result] = planner.plan(store, date(2026, 11, 24), renderer=RENDER)
    assert result.planned == 8
    times = check_day(store, campaign, date(2026, 11, 24), 8, not_before=store.clock.now())
    assert min(times) >= store.clock.now()
    store.clock.pinned = datetime(2026, 11, 25, 18, tzinfo=UTC)  # after 18:00 in Paris
    _, [late] = planner.plan(store, date(2026, 11, 25), renderer=RENDER)
    assert late.planned == 0 and "over" in late.note


def test_default_date_is_the_next_window_day(store: Store) -> None:
    store.clock.pinned = datetime(2026, 11, 27, 12, tzinfo=UTC)  # a Friday
    make_campaign(store, timezone="Europe/Paris", daily_cap=3)
    add_influencers(store, 3)
    day, [result] = planner.plan(store, renderer=RENDER)
    assert day == date(2026, 11, 30) and result.planned == 3


def test_two_planners_on_one_day_plan_once(db_path) -> None:
    clock = Clock.fixed("2026-11-23T20:00:00+00:00")
    first, second = Store(db_path, clock, actor="a"), Store(db_path, clock, actor="b")
    make_campaign(first, daily_cap=10)
    add_influencers(first, 40)
    results = [planner.plan(s, date(2026, 11, 24), renderer=RENDER)[1][0] for s in (first, second)]
    assert sorted(r.planned for r in results) == [0, 10]
    assert len(invitations(first)) == 10
    first.close()
    second.close()
