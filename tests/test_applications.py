"""Pipeline actions on a real database: eligibility, closing, decisions, collaborate, undo, counters, R2."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from mailer.actions import pipeline
from store import applications
from store.campaigns import Campaign
from store.counters import COUNTERS_SQL, counters
from store.db import Store
from store.errors import Forbidden, UserError
from store.outbox import queueing
from tests.pipeline_helpers import add_influencer, add_people, make_campaign, stage_of, table_counts
from tests.pipeline_helpers import outbox as messages


def _events(store: Store, action: str = "application.stage") -> list[dict]:
    rows = store.writer.query("SELECT * FROM audit_events WHERE action = ? ORDER BY id", [action])
    return [{**r, "detail": json.loads(r["detail"])} for r in rows]


def test_invited_influencers_are_never_filtered(store: Store) -> None:
    make_campaign(store, min_followers=100_000, min_engagement=9.0)
    add_influencer(store, "tiny", followers=12, engagement_rate=0.1)
    [move] = pipeline.invite(store, "Spring", ["tiny"]).moves
    assert (move.to_stage, move.email_kind) == ("invited", "invitation")
    assert stage_of(store, "Spring", "tiny") == "invited"
    # The invitee's yes lands in "to review" whatever their numbers.
    assert pipeline.apply(store, "Spring", "tiny").move.to_stage == "to review"


def test_self_applicants_below_the_minimums_are_ineligible_and_hear_nothing(store: Store) -> None:
    make_campaign(store, min_followers=10_000, min_engagement=2.0)
    add_influencer(store, "big", followers=50_000, engagement_rate=3.0)
    add_influencer(store, "small", followers=9_000, engagement_rate=3.0)
    add_influencer(store, "flat", followers=50_000, engagement_rate=1.0)
    assert pipeline.apply(store, "Spring", "big").move.to_stage == "to review"
    assert pipeline.apply(store, "Spring", "small").move.to_stage == "ineligible"
    assert pipeline.apply(store, "Spring", "flat").move.to_stage == "ineligible"
    sent = messages(store)
    assert [(m["kind"], m["to_addr"]) for m in sent] == [("acknowledgement", "big@example.com")]


def test_applying_twice_is_refused_naming_the_stage(store: Store) -> None:
    make_campaign(store)
    add_influencer(store, "ana")
    pipeline.apply(store, "Spring", "ana")
    with pytest.raises(UserError, match="already applied to 'Spring' \\(stage 'to review'\\)"):
        pipeline.apply(store, "Spring", "ana")


def test_applying_after_the_closing_time_is_refused(store: Store) -> None:
    make_campaign(store, closes="2026-11-23T09:59:59+00:00")
    add_influencer(store, "late")
    before = table_counts(store)
    with pytest.raises(UserError, match="closed on 2026-11-23T09:59:59"):
        pipeline.apply(store, "Spring", "late")
    assert table_counts(store) == before


def test_the_campaign_closes_itself_at_its_closing_time(store: Store) -> None:
    make_campaign(store, closes="2026-11-23T12:00:00+00:00")
    add_influencer(store, "ana")
    add_influencer(store, "bob")
    assert pipeline.housekeeping(store)["closed"] == []
    pipeline.apply(store, "Spring", "ana")
    store.clock.advance(timedelta(hours=2))
    assert pipeline.housekeeping(store)["closed"] == ["Spring"]
    assert pipeline.housekeeping(store)["closed"] == []  # once
    status = store.writer.execute("SELECT status FROM campaigns").fetchone()[0]
    assert status == "closed"
    with pytest.raises(UserError, match="takes no more candidates"):
        pipeline.apply(store, "Spring", "bob")
    assert len(_events(store, "campaign.close")) == 1


def test_applying_before_the_opening_is_refused(store: Store) -> None:
    make_campaign(store, opens="2026-12-01")
    add_influencer(store, "early")
    with pytest.raises(UserError, match="opens on 2026-12-01"):
        pipeline.apply(store, "Spring", "early")


def test_an_invitee_saying_yes_is_recorded_for_the_welcome(store: Store) -> None:
    campaign = make_campaign(store)
    add_influencer(store, "ana")
    pipeline.invite(store, "Spring", ["ana"])
    store.clock.advance(timedelta(hours=3))
    pipeline.apply(store, "Spring", "ana", fee=150)
    [yes] = applications.answered_invitations(store.writer, campaign.id)
    assert yes["at"] == "2026-11-23T13:00:00+00:00"
    assert yes["influencer_id"] == 1
    fee = store.writer.execute("SELECT fee FROM applications").fetchone()[0]
    assert fee == 150


def test_every_change_is_audited_with_who_when_and_stages(store: Store) -> None:
    make_campaign(store)
    add_influencer(store, "ana")
    pipeline.apply(store, "Spring", "ana")
    pipeline.decide(store, "Spring", ["ana"], "shortlist")
    pipeline.decide(store, "Spring", ["ana"], "accept")
    trail = [(e["actor"], e["at"], e["detail"]["from"], e["detail"]["to"], e["detail"]["via"])
             for e in _events(store)]
    assert trail == [
        ("tester", "2026-11-23T10:00:00+00:00", None, "to review", "apply"),
        ("tester", "2026-11-23T10:00:00+00:00", "to review", "shortlisted", "shortlist"),
        ("tester", "2026-11-23T10:00:00+00:00", "shortlisted", "in campaign", "accept"),
    ]


def test_a_bulk_decision_lists_every_problem_and_changes_nothing(store: Store) -> None:
    make_campaign(store)
    for handle in ("ana", "bob", "cat", "dan"):
        add_influencer(store, handle)
    for handle in ("ana", "bob", "cat"):
        pipeline.apply(store, "Spring", handle)
    pipeline.decide(store, "Spring", ["bob"], "reject")
    before = table_counts(store)
    with pytest.raises(UserError) as refused:
        pipeline.decide(store, "Spring", ["ana", "bob", "dan", "cat"], "accept")
    sentence = refused.value.sentence
    assert sentence.startswith("Nothing changed, 2 problems:")
    assert "cannot accept @bob: the application is at stage 'rejected', which is final" in sentence
    assert "@dan is not in the pipeline of 'Spring'" in sentence
    assert table_counts(store) == before
    assert stage_of(store, "Spring", "ana") == "to review"


def test_unknown_handles_are_named_and_nothing_changes(store: Store) -> None:
    make_campaign(store)
    add_influencer(store, "ana")
    pipeline.apply(store, "Spring", "ana")
    before = table_counts(store)
    with pytest.raises(UserError, match="There are no influencers with the handles 'ghost', 'nobody'"):
        pipeline.decide(store, "Spring", ["ana", "ghost", "nobody"], "reject")
    assert table_counts(store) == before


def test_suppressed_influencers_are_moved_but_not_emailed(store: Store) -> None:
    make_campaign(store)
    add_influencer(store, "gone", unsubscribed=1)
    add_influencer(store, "bounced", bounced=1)
    add_influencer(store, "mute", email=None)
    for handle in ("gone", "bounced", "mute"):
        pipeline.apply(store, "Spring", handle)
    moves = pipeline.decide(store, "Spring", ["gone", "bounced", "mute"], "reject").moves
    assert [m.to_stage for m in moves] == ["rejected"] * 3
    assert [m.note for m in moves] == ["unsubscribed: no email sent", "bounced: no email sent",
                                       "no email address"]
    assert {m["status"] for m in messages(store)} == {"skipped"}
    assert not messages(store, status="queued")


def test_a_campaign_without_sender_uses_the_operator_address_or_refuses(store: Store) -> None:
    make_campaign(store, sender=None, sender_name="")
    add_influencer(store, "ana")
    before = table_counts(store)
    with pytest.raises(UserError, match="has no sender and operator tester has no from-address"):
        pipeline.apply(store, "Spring", "ana")
    assert table_counts(store) == before
    with store.write() as db:
        db.conn.execute("UPDATE operators SET from_address = 'me@brand.example', display_name = 'Me'")
    pipeline.apply(store, "Spring", "ana")
    [mail] = messages(store)
    assert (mail["from_addr"], mail["from_name"]) == ("me@brand.example", "Me")


def test_private_moves_send_nothing(store: Store) -> None:
    make_campaign(store)
    add_influencer(store, "ana")
    pipeline.apply(store, "Spring", "ana")
    for decision in ("shortlist", "decline", "shortlist"):
        [move] = pipeline.decide(store, "Spring", ["ana"], decision).moves
        assert move.email_kind is None
    assert len(messages(store)) == 1  # only the acknowledgement


def test_viewers_cannot_decide(store: Store, db_path) -> None:
    make_campaign(store)
    add_influencer(store, "ana")
    pipeline.apply(store, "Spring", "ana")
    viewer = Store(db_path, store.clock, actor="visitor")
    try:
        with pytest.raises(Forbidden, match="visitor is a viewer and may not move applications"):
            pipeline.decide(viewer, "Spring", ["ana"], "reject")
    finally:
        viewer.close()
    assert stage_of(store, "Spring", "ana") == "to review"


def test_agreement_flow_and_expiry_at_the_deadline(store: Store) -> None:
    make_campaign(store, requires_agreement=True, agreement_days=3)
    for handle in ("ana", "bob"):
        add_influencer(store, handle)
        pipeline.apply(store, "Spring", handle)
    pipeline.decide(store, "Spring", ["ana", "bob"], "send-agreement")
    deadlines = store.writer.execute(
        "SELECT DISTINCT agreement_deadline, agreement_state FROM applications").fetchall()
    assert deadlines == [("2026-11-26T10:00:00+00:00", "sent")]
    assert [m["kind"] for m in messages(store)][-2:] == ["agreement", "agreement"]
    pipeline.decide(store, "Spring", ["ana"], "signed")
    store.clock.advance(timedelta(days=3, seconds=-1))
    assert pipeline.housekeeping(store)["expired"] == []
    store.clock.advance(timedelta(seconds=1))
    assert pipeline.housekeeping(store)["expired"] == ["bob"]
    assert pipeline.housekeeping(store)["expired"] == []
    assert stage_of(store, "Spring", "bob") == "expired"
    assert stage_of(store, "Spring", "ana") == "signed"
    pipeline.decide(store, "Spring", ["ana"], "accept")
    assert stage_of(store, "Spring", "ana") == "in campaign"


def test_collaborate_runs_once(store: Store) -> None:
    make_campaign(store, requires_agreement=True)
    for handle in ("signer", "waiter", "newbie", "quiet", "refuser"):
        add_influencer(store, handle)
    for handle in ("signer", "waiter", "newbie", "refuser"):
        pipeline.apply(store, "Spring", handle)
    pipeline.invite(store, "Spring", ["quiet"])
    pipeline.decide(store, "Spring", ["signer", "waiter", "refuser"], "send-agreement")
    pipeline.decide(store, "Spring", ["signer"], "signed")
    pipeline.decide(store, "Spring", ["refuser"], "refused")
    before = len(messages(store))
    moves = pipeline.collaborate(store, "Spring").moves
    assert {m.handle: (m.to_stage, m.email_kind) for m in moves} == {
        "signer": ("in campaign", "congratulations"),
        "waiter": ("rejected", "bummer"),
        "newbie": ("rejected", "bummer"),
    }
    assert stage_of(store, "Spring", "quiet") == "invited"
    assert stage_of(store, "Spring", "refuser") == "refused"
    assert len(messages(store)) == before + 3
    counts = table_counts(store)
    with pytest.raises(UserError, match="already started on 2026-11-23T10:00:00\\+00:00; it runs only once"):
        pipeline.collaborate(store, "Spring")
    assert table_counts(store) == counts


def test_collaborate_congratulates_those_already_accepted(store: Store) -> None:
    make_campaign(store)
    for handle in ("ana", "bob"):
        add_influencer(store, handle)
        pipeline.apply(store, "Spring", handle)
    pipeline.decide(store, "Spring", ["ana"], "accept")
    moves = pipeline.collaborate(store, "Spring").moves
    assert [(m.handle, m.from_stage, m.to_stage, m.email_kind) for m in moves] == [
        ("ana", "in campaign", "in campaign", "congratulations"),
        ("bob", "to review", "rejected", "bummer"),
    ]


def _accept_with_grace(store: Store, grace: int = 30) -> dict:
    make_campaign(store)
    add_influencer(store, "ana")
    pipeline.apply(store, "Spring", "ana")
    [move] = pipeline.decide(store, "Spring", ["ana"], "accept", grace_seconds=grace).moves
    return messages(store, id=move.message_row)[0] if move.message_row else {}


def test_undo_within_the_window_restores_the_stage_and_withdraws_the_email(store: Store) -> None:
    mail = _accept_with_grace(store)
    assert mail["scheduled_at"] == "2026-11-23T10:00:30+00:00"
    assert mail["next_attempt_at"] == "2026-11-23T10:00:30+00:00"
    assert json.loads(mail["flags"]) == ["undoable"]
    store.clock.advance(timedelta(seconds=20))
    move = pipeline.undo(store, "Spring", "ana").move
    assert (move.from_stage, move.to_stage) == ("in campaign", "to review")
    [withdrawn] = messages(store, id=mail["id"])
    assert withdrawn["status"] == "skipped"
    assert "withdrawn" in json.loads(withdrawn["flags"])
    assert stage_of(store, "Spring", "ana") == "to review"
    with pytest.raises(UserError, match="Nothing to undo for @ana"):
        pipeline.undo(store, "Spring", "ana")


def test_undo_is_refused_once_a_dispatcher_claimed_the_email(store: Store) -> None:
    mail = _accept_with_grace(store)
    with store.write() as db:
        db.conn.execute("UPDATE messages SET status = 'sending', lease_owner = 'd1' WHERE id = ?",
                        (mail["id"],))
    with pytest.raises(UserError, match="has already left \\(status 'sending'\\); the decision is final"):
        pipeline.undo(store, "Spring", "ana")
    assert stage_of(store, "Spring", "ana") == "in campaign"


def test_undo_is_refused_for_a_queued_email_under_lease(store: Store) -> None:
    mail = _accept_with_grace(store)
    with store.write() as db:
        db.conn.execute("UPDATE messages SET lease_owner = 'd1' WHERE id = ?", (mail["id"],))
    with pytest.raises(UserError, match="already left"):
        pipeline.undo(store, "Spring", "ana")


def test_undo_after_the_email_was_sent_is_refused(store: Store) -> None:
    mail = _accept_with_grace(store)
    with store.write() as db:
        db.conn.execute("UPDATE messages SET status = 'sent' WHERE id = ?", (mail["id"],))
    with pytest.raises(UserError, match="status 'sent'"):
        pipeline.undo(store, "Spring", "ana")


def test_a_decision_without_grace_is_final_at_once(store: Store) -> None:
    _accept_with_grace(store, grace=0)
    with pytest.raises(UserError, match="was final at once"):
        pipeline.undo(store, "Spring", "ana")


def test_undo_for_a_suppressed_influencer_follows_the_window(store: Store) -> None:
    make_campaign(store)
    add_influencer(store, "gone", unsubscribed=1)
    pipeline.apply(store, "Spring", "gone")
    pipeline.decide(store, "Spring", ["gone"], "reject", grace_seconds=30)
    store.clock.advance(timedelta(seconds=31))
    with pytest.raises(UserError, match="undo window for @gone closed at 2026-11-23T10:00:30"):
        pipeline.undo(store, "Spring", "gone")
    store.clock.advance(timedelta(seconds=-2))
    assert pipeline.undo(store, "Spring", "gone").move.to_stage == "to review"


def test_undo_of_a_private_move(store: Store) -> None:
    make_campaign(store)
    add_influencer(store, "ana")
    pipeline.apply(store, "Spring", "ana")
    pipeline.decide(store, "Spring", ["ana"], "decline")
    assert pipeline.undo(store, "Spring", "ana").move.to_stage == "to review"


def test_counters_and_budget(store: Store) -> None:
    make_campaign(store, budget=1000, min_followers=1000)
    for handle, followers in (("a", 5000), ("b", 5000), ("c", 5000), ("d", 10), ("e", 5000), ("f", 5000)):
        add_influencer(store, handle, followers=followers)
    pipeline.apply(store, "Spring", "a", fee=300)
    pipeline.apply(store, "Spring", "b", fee=150)
    pipeline.apply(store, "Spring", "c", fee=999)
    pipeline.apply(store, "Spring", "d")
    pipeline.invite(store, "Spring", ["e", "f"])
    store.clock.advance(timedelta(minutes=5))
    pipeline.decide(store, "Spring", ["a", "b"], "accept")
    pipeline.decide(store, "Spring", ["c"], "reject")
    campaign = Campaign.from_row(store.writer.query("SELECT * FROM campaigns").__next__())
    assert counters(store.writer, campaign) == {
        "all_candidates": 5, "new_applicants": 0, "in_campaign": 2, "rejected": 1, "invited": 2,
        "applicants": 4, "budget_used_pct": 45.0, "last_update": "2026-11-23T10:05:00+00:00",
        "budget_used": 450,
    }


def test_counters_come_from_one_covering_index_scan(store: Store) -> None:
    plan = store.writer.execute(f"EXPLAIN QUERY PLAN {COUNTERS_SQL}", (1,)).fetchall()
    details = " ".join(row[3] for row in plan)
    assert "USING COVERING INDEX applications_counters" in details, details


class Boom(Exception):
    pass


def test_a_failure_mid_bulk_leaves_nothing(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """R2 by injection: the 250th outbox write fails; no stage, no email, no audit event remains."""
    make_campaign(store)
    handles = add_people(store, 500)
    for handle in handles:
        pipeline.apply(store, "Spring", handle)
    before = table_counts(store)
    calls = {"n": 0}
    real = queueing.enqueue

    def failing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 250:
            raise Boom("disk on fire")
        return real(*args, **kwargs)

    monkeypatch.setattr("store.moves.queueing.enqueue", failing)
    with pytest.raises(Boom):
        pipeline.decide(store, "Spring", handles, "accept")
    assert calls["n"] == 250
    assert table_counts(store) == before
    stages_now = store.writer.execute("SELECT DISTINCT stage FROM applications").fetchall()
    assert stages_now == [("to review",)]
    monkeypatch.setattr("store.moves.queueing.enqueue", real)
    assert len(pipeline.decide(store, "Spring", handles, "accept").moves) == 500


def test_a_template_error_during_accept_changes_nothing(store: Store) -> None:
    campaign = make_campaign(store)
    add_influencer(store, "ana")
    add_influencer(store, "bob", custom={"code": "X1"})
    pipeline.apply(store, "Spring", "ana")
    pipeline.apply(store, "Spring", "bob")
    with store.write() as db:
        db.conn.execute(
            "INSERT INTO templates (campaign_id, kind, language, subject, body, updated_by, updated_at) "
            "VALUES (?, 'accepted', 'en', 'Hi', 'Your code: {{ code }}', 'x', 'now')", (campaign.id,))
    before = table_counts(store)
    with pytest.raises(UserError, match="Template accepted \\(en\\), body line 1: 'code' is undefined"):
        pipeline.decide(store, "Spring", ["bob", "ana"], "accept")
    assert table_counts(store) == before
    assert stage_of(store, "Spring", "bob") == "to review"


def test_starting_the_collaboration_fixes_the_group(store: Store) -> None:
    make_campaign(store)
    for handle in ("ana", "quiet", "late", "no"):
        add_influencer(store, handle)
    pipeline.apply(store, "Spring", "ana")
    pipeline.apply(store, "Spring", "no")
    pipeline.decide(store, "Spring", ["ana"], "accept")
    pipeline.decide(store, "Spring", ["no"], "reject")
    pipeline.invite(store, "Spring", ["quiet"])
    pipeline.collaborate(store, "Spring")
    counts = table_counts(store)
    with pytest.raises(UserError, match="started its collaboration on .*; its group is fixed"):
        pipeline.apply(store, "Spring", "late")
    with pytest.raises(UserError, match="started its collaboration on .*; its group is fixed"):
        pipeline.apply(store, "Spring", "quiet")  # the invitee's late yes
    with pytest.raises(UserError, match="started its collaboration"):
        pipeline.invite(store, "Spring", ["late"])
    assert table_counts(store) == counts
    assert stage_of(store, "Spring", "quiet") == "invited"


def test_after_the_collaboration_nobody_new_is_accepted(store: Store) -> None:
    make_campaign(store, requires_agreement=True)
    for handle in ("signer", "slow"):
        add_influencer(store, handle)
        pipeline.apply(store, "Spring", handle)
    pipeline.decide(store, "Spring", ["signer", "slow"], "send-agreement")
    pipeline.decide(store, "Spring", ["signer"], "signed")
    store.clock.advance(timedelta(days=4))
    pipeline.housekeeping(store)  # slow's agreement expires: expired is not undecided
    pipeline.collaborate(store, "Spring")
    assert stage_of(store, "Spring", "slow") == "expired"
    counts = table_counts(store)
    with pytest.raises(UserError, match="the collaboration started and the group is fixed"):
        pipeline.decide(store, "Spring", ["slow"], "send-agreement")
    assert table_counts(store) == counts
    assert stage_of(store, "Spring", "slow") == "expired"
