"""Welcome and follow-ups over fake weeks: next window day at opening, stop rules, replies, suppression."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from mailer.actions import pipeline
from mailer.outreach import planner, sequence
from store.clock import from_iso
from store.db import Store
from tests.outreach_helpers import (
    accept,
    add_influencers,
    fake_send,
    make_campaign,
    message,
    rows,
    tiny_renderer,
)

PARIS = ZoneInfo("Europe/Paris")
RENDER = tiny_renderer()


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS).astimezone(UTC)


def live(store: Store, until: datetime, step: timedelta = timedelta(minutes=30)) -> list[str]:
    """Move the clock forward, running the sequence and sending what is due, as the daemon would."""
    lines = []
    while store.clock.now() < until:
        store.clock.advance(step)
        lines += sequence.advance(store, renderer=RENDER)
        fake_send(store, store.clock.now())
    return lines


def steps(store: Store, influencer_id: int) -> dict[str, dict]:
    found = rows(store, "SELECT * FROM messages WHERE influencer_id = ? AND direction = 'out' "
                        "AND kind != 'invitation' ORDER BY scheduled_at", (influencer_id,))
    return {row["kind"]: {**row, "flags": json.loads(row["flags"])} for row in found}


def invited(store: Store, *, window: str = "daily 09:00-18:00", followups: list[int] | None = None,
            ongoing: bool = True, incoming: bool = True, welcome: bool = True,
            day: date = date(2026, 3, 27)) -> tuple[dict, list[int]]:
    """A campaign in Paris with three people invited on `day` and their invitations sent."""
    store.clock.pinned = paris(day.year, day.month, day.day, 7)
    campaign = make_campaign(store, timezone="Europe/Paris", windows=[window], daily_cap=3)
    with store.write() as db:
        db.conn.execute("UPDATE campaigns SET followup_days = ?, stop_if_ongoing = ?, stop_if_incoming = ?, "
                        "welcome_enabled = ? WHERE id = ?",
                        (json.dumps(followups or []), int(ongoing), int(incoming), int(welcome),
                         campaign.id))
    ids = add_influencers(store, 3)
    planner.plan(store, day, renderer=RENDER)
    store.clock.pinned = paris(day.year, day.month, day.day, 18, 30)
    fake_send(store, store.clock.now())
    return campaign, ids


def test_welcome_next_day_at_nine_local_across_spring_forward(store: Store) -> None:
    campaign, ids = invited(store)
    store.clock.pinned = paris(2026, 3, 28, 9)  # Saturday 09:00 CET, the day before the change
    accept(store, campaign, ids[0], store.clock.now())
    live(store, paris(2026, 3, 29, 12))
    welcome = steps(store, ids[0])["welcome"]
    assert from_iso(welcome["scheduled_at"]).astimezone(PARIS).strftime("%Y-%m-%d %H:%M %Z") == \
        "2026-03-29 09:00 CEST"
    assert from_iso(welcome["scheduled_at"]) - paris(2026, 3, 28, 9) == timedelta(hours=23)
    assert welcome["status"] == "sent" and welcome["body"] == "Welcome aboard, P0!"
    assert welcome["sent_at"] == "2026-03-29T07:00:00+00:00"


def test_welcome_next_day_at_nine_local_across_fall_back(store: Store) -> None:
    campaign, ids = invited(store, day=date(2026, 10, 23))
    store.clock.pinned = paris(2026, 10, 24, 9)
    accept(store, campaign, ids[0], store.clock.now())
    live(store, paris(2026, 10, 25, 12))
    welcome = steps(store, ids[0])["welcome"]
    assert from_iso(welcome["scheduled_at"]).astimezone(PARIS).strftime("%d %H:%M %Z") == "25 09:00 CET"
    assert welcome["status"] == "sent"


def test_welcome_waits_for_the_next_window_day(store: Store) -> None:
    campaign, ids = invited(store, window="mon-fri 09:00-18:00")
    store.clock.pinned = paris(2026, 3, 27, 16)  # Friday afternoon
    accept(store, campaign, ids[0], store.clock.now())
    live(store, paris(2026, 3, 30, 12), step=timedelta(hours=1))
    welcome = steps(store, ids[0])["welcome"]
    assert from_iso(welcome["scheduled_at"]) == paris(2026, 3, 30, 9)
    assert welcome["status"] == "sent"


def test_stop_if_incoming_skips_the_welcome_when_they_wrote(store: Store) -> None:
    campaign, ids = invited(store)
    store.clock.pinned = paris(2026, 3, 28, 10)
    accept(store, campaign, ids[0], store.clock.now())
    accept(store, campaign, ids[1], store.clock.now())
    message(store, ids[0], paris(2026, 3, 28, 20), direction="in")
    lines = live(store, paris(2026, 3, 29, 12))
    assert steps(store, ids[0])["welcome"]["status"] == "skipped"
    assert "stopped_incoming" in steps(store, ids[0])["welcome"]["flags"]
    assert steps(store, ids[1])["welcome"]["status"] == "sent"
    assert any("stopped (stopped_incoming)" in line for line in lines)


def test_stop_if_ongoing_skips_the_welcome_when_the_sender_wrote(store: Store) -> None:
    campaign, ids = invited(store)
    store.clock.pinned = paris(2026, 3, 28, 10)
    accept(store, campaign, ids[0], store.clock.now())
    message(store, ids[0], paris(2026, 3, 28, 11), direction="out", kind="manual", campaign_id=campaign.id)
    live(store, paris(2026, 3, 29, 12))
    assert steps(store, ids[0])["welcome"]["status"] == "skipped"
    assert "stopped_ongoing" in steps(store, ids[0])["welcome"]["flags"]


def test_stop_rules_off_let_the_welcome_go(store: Store) -> None:
    campaign, ids = invited(store, ongoing=False, incoming=False)
    store.clock.pinned = paris(2026, 3, 28, 10)
    accept(store, campaign, ids[0], store.clock.now())
    message(store, ids[0], paris(2026, 3, 28, 11), direction="out", kind="manual", campaign_id=campaign.id)
    message(store, ids[0], paris(2026, 3, 28, 12), direction="in")
    live(store, paris(2026, 3, 29, 12))
    assert steps(store, ids[0])["welcome"]["status"] == "sent"


def test_messages_before_the_accept_do_not_stop_the_welcome(store: Store) -> None:
    campaign, ids = invited(store)
    message(store, ids[0], paris(2026, 3, 28, 8), direction="in")  # their "yes" reply
    store.clock.pinned = paris(2026, 3, 28, 10)
    accept(store, campaign, ids[0], store.clock.now())  # an operator marks it as a yes
    live(store, paris(2026, 3, 29, 12))
    assert steps(store, ids[0])["welcome"]["status"] == "sent"


def test_followups_go_out_on_their_days_until_a_reply_stops_them(store: Store) -> None:
    campaign, ids = invited(store, window="mon-fri 09:00-18:00", followups=[3, 7])
    store.clock.pinned = paris(2026, 3, 27, 12)
    accept(store, campaign, ids[0], store.clock.now())
    accept(store, campaign, ids[1], store.clock.now())
    live(store, paris(2026, 4, 3, 12), step=timedelta(hours=1))
    message(store, ids[1], paris(2026, 4, 3, 12), direction="in")  # after the first follow-up
    live(store, paris(2026, 4, 14), step=timedelta(hours=1))
    quiet, replied = steps(store, ids[0]), steps(store, ids[1])
    when = {kind: from_iso(row["scheduled_at"]).astimezone(PARIS).strftime("%a %d %H:%M")
            for kind, row in quiet.items()}
    # Welcome Monday 30; +3 days is Thursday 2; +7 days is Monday 6.
    assert when == {"welcome": "Mon 30 09:00", "followup-1": "Thu 02 09:00", "followup-2": "Mon 06 09:00"}
    assert [quiet[k]["status"] for k in ("welcome", "followup-1", "followup-2")] == ["sent"] * 3
    assert quiet["followup-1"]["body"] == "Any questions, P0?"
    assert replied["followup-1"]["status"] == "sent"
    assert replied["followup-2"]["status"] == "skipped" and "stopped_reply" in replied["followup-2"]["flags"]


def test_a_stopped_welcome_stops_the_followups(store: Store) -> None:
    campaign, ids = invited(store, followups=[2])
    store.clock.pinned = paris(2026, 3, 28, 10)
    accept(store, campaign, ids[0], store.clock.now())
    message(store, ids[0], paris(2026, 3, 28, 11), direction="out", kind="manual", campaign_id=campaign.id)
    live(store, paris(2026, 4, 2), step=timedelta(hours=2))
    assert steps(store, ids[0])["followup-1"]["status"] == "skipped"
    assert "stopped_welcome" in steps(store, ids[0])["followup-1"]["flags"]


def test_without_welcome_followups_still_count_from_the_next_window_day(store: Store) -> None:
    campaign, ids = invited(store, welcome=False, followups=[1])
    store.clock.pinned = paris(2026, 3, 28, 10)
    accept(store, campaign, ids[0], store.clock.now())
    live(store, paris(2026, 3, 31), step=timedelta(hours=2))
    assert set(steps(store, ids[0])) == {"followup-1"}
    assert from_iso(steps(store, ids[0])["followup-1"]["scheduled_at"]) == paris(2026, 3, 30, 9)


def test_unsubscribed_after_planning_are_never_emailed(store: Store) -> None:
    campaign, ids = invited(store, followups=[2])
    store.clock.pinned = paris(2026, 3, 28, 10)
    accept(store, campaign, ids[0], store.clock.now())
    live(store, paris(2026, 3, 28, 11))
    assert steps(store, ids[0])["welcome"]["status"] == "planned"
    with store.write() as db:
        db.conn.execute("UPDATE influencers SET unsubscribed = 1 WHERE id = ?", (ids[0],))
    live(store, paris(2026, 4, 3), step=timedelta(hours=2))
    assert {k: (r["status"], r["flags"]) for k, r in steps(store, ids[0]).items()} == {
        "welcome": ("skipped", ["unsubscribed"]), "followup-1": ("skipped", ["unsubscribed"])}


def test_an_accept_seen_too_late_is_not_welcomed(store: Store) -> None:
    campaign, ids = invited(store)
    accept(store, campaign, ids[0], paris(2026, 3, 28, 10))
    store.clock.pinned = paris(2026, 4, 10, 10)
    lines = sequence.advance(store, renderer=RENDER)
    assert steps(store, ids[0]) == {}
    assert lines == [f"sequence {campaign.name} @person0: accepted too long ago, not welcomed"]
    assert sequence.advance(store, renderer=RENDER) == []


def test_welcome_is_scheduled_once_even_when_advanced_twice(store: Store) -> None:
    campaign, ids = invited(store)
    store.clock.pinned = paris(2026, 3, 28, 10)
    accept(store, campaign, ids[0], store.clock.now())
    first = sequence.advance(store, renderer=RENDER)
    assert first and sequence.advance(store, renderer=RENDER) == []
    assert len(rows(store, "SELECT id FROM messages WHERE kind = 'welcome'")) == 1


def test_followups_moved_past_a_weekend_keep_their_order_and_spacing(store: Store) -> None:
    campaign, ids = invited(store, window="mon-fri 09:00-18:00", followups=[2, 4])
    accept(store, campaign, ids[0], paris(2026, 4, 1, 12))  # welcome on Thursday 2 April
    store.clock.pinned = paris(2026, 4, 1, 13)
    sequence.advance(store, renderer=RENDER)
    when = {kind: from_iso(row["scheduled_at"]).astimezone(PARIS).strftime("%a %d %H:%M")
            for kind, row in steps(store, ids[0]).items()}
    # +2 is Saturday, moved to Monday; +4 would be Monday too: it keeps its two days' gap.
    assert when == {"welcome": "Thu 02 09:00", "followup-1": "Mon 06 09:00", "followup-2": "Wed 08 09:00"}


def test_declining_stops_the_welcome_and_followups_and_shortlisting_puts_them_back(store: Store) -> None:
    campaign, ids = invited(store, followups=[2])
    store.clock.pinned = paris(2026, 3, 28, 10)
    accept(store, campaign, ids[0], store.clock.now())
    sequence.advance(store, renderer=RENDER)
    pipeline.decide(store, campaign.name, ["person0"], "decline")
    assert {k: (r["status"], r["flags"]) for k, r in steps(store, ids[0]).items()} == {
        "welcome": ("skipped", ["stopped_declined"]), "followup-1": ("skipped", ["stopped_declined"])}
    [event] = rows(store, "SELECT detail FROM audit_events WHERE action = 'application.stage' "
                          "AND json_extract(detail, '$.to') = 'declined'")
    assert json.loads(event["detail"])["sequence"] == "2 step(s) stopped"
    pipeline.decide(store, campaign.name, ["person0"], "shortlist")
    assert {k: (r["status"], r["flags"]) for k, r in steps(store, ids[0]).items()} == {
        "welcome": ("planned", []), "followup-1": ("planned", [])}
    live(store, paris(2026, 4, 1), step=timedelta(hours=2))
    assert [r["status"] for r in steps(store, ids[0]).values()] == ["sent", "sent"]


def test_an_expired_agreement_stops_the_followups_left(store: Store) -> None:
    campaign, ids = invited(store, followups=[5])
    with store.write() as db:
        db.conn.execute("UPDATE campaigns SET requires_agreement = 1 WHERE id = ?", (campaign.id,))
    store.clock.pinned = paris(2026, 3, 28, 10)
    accept(store, campaign, ids[0], store.clock.now())
    pipeline.decide(store, campaign.name, ["person0"], "send-agreement")
    live(store, paris(2026, 3, 31, 12), step=timedelta(hours=2))
    pipeline.housekeeping(store)  # the three days to sign are over
    live(store, paris(2026, 4, 5, 12), step=timedelta(hours=2))
    assert {k: (r["status"], r["flags"]) for k, r in steps(store, ids[0]).items()} == {
        "agreement": ("sent", []), "welcome": ("sent", []), "followup-1": ("skipped", ["stopped_expired"])}


def test_a_due_step_checks_the_stage_again_before_it_leaves(store: Store) -> None:
    campaign, ids = invited(store)
    store.clock.pinned = paris(2026, 3, 28, 10)
    accept(store, campaign, ids[0], store.clock.now())
    sequence.advance(store, renderer=RENDER)
    with store.write() as db:  # a stage written behind the pipeline's back
        db.conn.execute("UPDATE applications SET stage = 'refused' WHERE influencer_id = ?", (ids[0],))
    lines = live(store, paris(2026, 3, 29, 12))
    assert steps(store, ids[0])["welcome"]["status"] == "skipped"
    assert steps(store, ids[0])["welcome"]["flags"] == ["stopped_refused"]
    assert f"welcome {campaign.name} @person0: stopped (stopped_refused)" in lines
