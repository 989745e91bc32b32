"""Moderation decisions on the queue: states, flags, re-rendering, races with the dispatcher, roles."""

from __future__ import annotations

import json
from datetime import date

import pytest

from mailer.actions import outreach
from mailer.outreach import moderation, planner
from store import moderation as queue
from store import operators
from store.db import Store
from store.errors import Forbidden, UserError
from store.moderation import Invitation
from tests.outreach_helpers import add_influencers, make_campaign, rows, tiny_renderer

RENDER = tiny_renderer()


@pytest.fixture
def planned(store: Store) -> list[Invitation]:
    make_campaign(store, timezone="Europe/Paris", daily_cap=6, languages=["fr", "en"], invite_limit=60)
    add_influencers(store, 3, language="fr")
    add_influencers(store, 3, start=3, language="en")
    planner.plan(store, date(2026, 11, 24), renderer=RENDER)
    return queue.queue(store.writer, store.now_iso())


def state(store: Store, message_id: int) -> dict:
    row = rows(store, "SELECT * FROM messages WHERE id = ?", (message_id,))[0]
    return {**row, "flags": json.loads(row["flags"])}


def test_queue_is_grouped_by_campaign_and_sender_in_time_order(store: Store,
                                                               planned: list[Invitation]) -> None:
    assert len(planned) == 6
    assert [r.scheduled_at for r in planned] == sorted(r.scheduled_at for r in planned)
    assert queue.counters(planned).describe() == "6 to review · 0 approved · 0 skipped · 0 flagged"
    page = queue.queue(store.writer, store.now_iso(), limit=2, offset=2)
    assert [r.id for r in page] == [r.id for r in planned[2:4]]


def test_skip_and_unskip(store: Store, planned: list[Invitation]) -> None:
    first = planned[0].id
    assert outreach.skip(store, [first]).done == [first]
    assert state(store, first)["status"] == "skipped"
    assert outreach.skip(store, [first]).refused == {first: "already skipped"}
    assert outreach.unskip(store, [first]).done == [first]
    assert (state(store, first)["status"], state(store, first)["flags"]) == ("queued", [])


def test_edit_past_the_limit_holds_it_and_back_within_releases_it(store: Store,
                                                                  planned: list[Invitation]) -> None:
    target = planned[1].id
    row = outreach.edit(store, target, "Hello", "x" * 61, renderer=RENDER).row
    assert row.status == "planned" and row.flags == ("over_limit",)
    assert outreach.approve(store, [target]).refused == {target: "flagged, edit first"}
    row = outreach.edit(store, target, "Hello", "Short and sweet.", renderer=RENDER).row
    assert row.status == "queued" and row.flags == ()
    assert state(store, target)["body"] == "Short and sweet."


def test_language_change_re_renders_and_can_flag(store: Store, planned: list[Invitation]) -> None:
    fr = next(r for r in planned if r.language == "fr")
    row = outreach.relanguage(store, [(fr.id, "en")], renderer=RENDER).row
    assert row.language == "en" and row.body.startswith("Hi P")
    assert moderation.next_language(row) == "fr"
    long_fr = tiny_renderer({("invitation", "fr"): ("S", "Bonjour " + "très " * 20)})
    row = outreach.relanguage(store, [(fr.id, "fr")], renderer=long_fr).row
    assert row.status == "planned" and row.flags == ("over_limit",)


def test_approve_marks_who_reviewed(store: Store, planned: list[Invitation]) -> None:
    ids = [r.id for r in planned]
    outcome = outreach.approve(store, ids)
    assert outcome.done == ids and outcome.describe("Approved") == "Approved 6 invitations."
    assert {state(store, i)["approved_by"] for i in ids} == {"tester"}
    events = rows(store, "SELECT * FROM audit_events WHERE action = 'moderation.approve'")
    assert len(events) == 6 and json.loads(events[0]["detail"])["handle"].startswith("person")


def test_nothing_changes_once_the_dispatcher_has_it(store: Store, planned: list[Invitation]) -> None:
    target = planned[0].id
    with store.write() as db:
        db.conn.execute("UPDATE messages SET status = 'sending' WHERE id = ?", (target,))
    assert outreach.skip(store, [target]).refused == {
        target: f"Invitation #{target} is already sending; it can no longer be changed"}
    with pytest.raises(UserError, match="already sending"):
        outreach.edit(store, target, "S", "B", renderer=RENDER)
    assert state(store, target)["status"] == "sending"


def test_suppression_skips_cannot_be_unskipped(store: Store, planned: list[Invitation]) -> None:
    target = planned[0].id
    with store.write() as db:
        db.conn.execute("UPDATE messages SET status = 'skipped', flags = '[\"unsubscribed\"]' WHERE id = ?",
                        (target,))
    assert outreach.unskip(store, [target]).refused == {
        target: "skipped for unsubscribed, not by a moderator"}


def test_moderators_may_viewers_may_not(store: Store, db_path, clock, planned: list[Invitation]) -> None:
    with store.write() as db:
        operators.add(db, "mod", "moderator", None, "", "x")
    moderator, viewer = Store(db_path, clock, actor="mod"), Store(db_path, clock, actor="eve")
    assert outreach.skip(moderator, [planned[0].id]).done
    with pytest.raises(Forbidden):
        outreach.approve(viewer, [planned[1].id])
    assert state(viewer, planned[1].id)["approved_by"] is None
    moderator.close()
    viewer.close()


def test_a_hand_made_invitation_says_when_it_gets_a_time(store: Store, db_path) -> None:
    from mailer.actions import pipeline
    from tests.cli_helpers import run, run_json

    make_campaign(store, "Glow", timezone="Europe/Paris")
    add_influencers(store, 1)
    pipeline.invite(store, "Glow", ["person0"])  # by hand: moderated, no send time
    result = run(db_path, "moderation", "list")
    assert result.exit_code == 0, result.output
    assert "unscheduled: once approved, it leaves at the next dispatch inside the campaign's window" in (
        result.stdout)
    [listed] = run_json(db_path, "moderation", "list")["messages"]
    assert (listed["scheduled_at"], listed["local_time"]) == (None, None)
    assert listed["unscheduled"].startswith("unscheduled: once approved")
    assert "at unscheduled: once approved" in run(db_path, "moderation", "show", str(listed["id"])).stdout
    outreach.approve(store, [listed["id"]])
    [listed] = run_json(db_path, "moderation", "list")["messages"]
    assert (listed["status"], listed["unscheduled"]) == (
        "queued", "unscheduled: it leaves at the next dispatch inside the campaign's window")
