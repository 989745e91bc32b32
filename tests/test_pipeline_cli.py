"""The command-line contract of SPEC §8 for the pipeline, templates, triggers, audit; and R2 with kill -9."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from mailer.actions import pipeline
from store.db import Store
from tests.cli_helpers import assert_user_error, run, run_json
from tests.pipeline_helpers import add_influencer, add_people, make_campaign, stage_of, table_counts

STATUS_KEYS = {"all_candidates", "new_applicants", "in_campaign", "rejected", "invited", "applicants",
               "budget_used_pct", "last_update", "clicks", "clickers", "tracked_recipients", "click_rate"}


@pytest.fixture
def spring(store: Store) -> Store:
    make_campaign(store, budget=2000, min_followers=1000)
    for handle in ("ana", "bob", "cat", "dan"):
        add_influencer(store, handle)
    add_influencer(store, "tiny", followers=5)
    return store


def test_invite_and_apply_print_what_they_did(spring: Store, db_path: Path) -> None:
    result = run(db_path, "invite", "Spring", "ana", "@bob")
    assert result.exit_code == 0, result.output
    assert "@ana: new → invited, invitation email planned" in result.stdout
    assert "Invited 2 influencers to 'Spring'; emails: 2 planned." in result.stdout
    result = run(db_path, "apply", "Spring", "tiny", "--fee", "120")
    assert "@tiny: new → ineligible (below the campaign's minimums)" in result.stdout
    moves = run_json(db_path, "apply", "Spring", "ana")
    assert [(m["handle"], m["from_stage"], m["to_stage"]) for m in moves] == [("ana", "invited", "to review")]


def test_apply_with_a_negative_fee(spring: Store, db_path: Path) -> None:
    assert_user_error(run(db_path, "apply", "Spring", "ana", "--fee", "-5"), "A fee cannot be negative")


def test_decide_asks_with_the_count_and_refuses_without_a_terminal(spring: Store, db_path: Path) -> None:
    for handle in ("ana", "bob", "cat"):
        run(db_path, "apply", "Spring", handle)
    before = table_counts(spring)
    result = run(db_path, "decide", "Spring", "ana", "bob", "cat", "accept")
    assert_user_error(result, "Nothing changed: accepting 3 applications is final; confirm on a terminal or "
                              "pass --yes.")
    assert table_counts(spring) == before
    result = run(db_path, "decide", "Spring", "ana", "bob", "reject", input="n\n")
    assert "Reject 2 applications in 'Spring' and send their emails? This is final." in result.stdout
    assert_user_error(result, "you did not confirm")
    assert table_counts(spring) == before
    result = run(db_path, "decide", "Spring", "ana", "bob", "reject", input="y\n")
    assert result.exit_code == 0, result.output
    assert "Rejected 2 applications in 'Spring'; emails: 2 queued." in result.stdout
    assert stage_of(spring, "Spring", "ana") == "rejected"


def test_private_decisions_do_not_ask(spring: Store, db_path: Path) -> None:
    run(db_path, "apply", "Spring", "ana")
    result = run(db_path, "decide", "Spring", "ana", "shortlist")
    assert result.exit_code == 0, result.output
    assert "Shortlisted 1 application in 'Spring'; no email." in result.stdout


def test_decide_reports_problems_before_asking(spring: Store, db_path: Path) -> None:
    run(db_path, "apply", "Spring", "ana")
    result = run(db_path, "decide", "Spring", "ana", "ghost", "accept")
    assert_user_error(result, "There is no influencer with the handle 'ghost'.")
    result = run(db_path, "decide", "Spring", "bob", "accept")
    assert_user_error(result, "@bob is not in the pipeline of 'Spring'.")
    assert_user_error(run(db_path, "decide", "Spring", "ana", "hire"), "Unknown decision 'hire'")
    assert_user_error(run(db_path, "decide", "Spring", "accept"), "Name at least one handle and a decision")
    assert_user_error(run(db_path, "decide", "Spring", "ana", "accept", "--yes", "--grace", "-1"),
                      "cannot be negative")


def test_illegal_moves_on_the_command_line_name_the_stage(spring: Store, db_path: Path) -> None:
    run(db_path, "apply", "Spring", "ana")
    run(db_path, "decide", "Spring", "ana", "accept", "--yes")
    result = run(db_path, "decide", "Spring", "ana", "reject", "--yes")
    assert_user_error(result, "Cannot reject @ana: the application is at stage 'in campaign', "
                              "which is final.")


def test_undo_with_grace_on_the_command_line(spring: Store, db_path: Path) -> None:
    run(db_path, "apply", "Spring", "ana")
    result = run(db_path, "decide", "Spring", "ana", "accept", "--yes", "--grace", "60")
    assert "undo until 2026-11-23T10:01:00+00:00" in result.stdout
    result = run(db_path, "undo", "Spring", "ana")
    assert result.exit_code == 0, result.output
    assert "@ana: in campaign → to review, accepted email withdrawn" in result.stdout
    assert_user_error(run(db_path, "undo", "Spring", "ana"), "Nothing to undo for @ana")
    assert_user_error(run(db_path, "undo", "Spring", "bob"), "@bob is not in the pipeline of 'Spring'.")


def test_collaborate_asks_then_runs_once(spring: Store, db_path: Path) -> None:
    for handle in ("ana", "bob", "cat"):
        run(db_path, "apply", "Spring", handle)
    run(db_path, "decide", "Spring", "ana", "accept", "--yes")
    result = run(db_path, "collaborate", "Spring")
    assert_user_error(result, "starting the collaboration is final")
    result = run(db_path, "collaborate", "Spring", input="y\n")
    assert "1 in campaign (congratulations), 2 undecided rejected (bummer)" in result.stdout
    assert ("Started the collaboration of 'Spring': 1 in campaign, 2 rejected; emails: 3 queued."
            in result.stdout)
    result = run(db_path, "collaborate", "Spring", "--yes")
    assert_user_error(result, "already started on 2026-11-23T10:00:00+00:00; it runs only once.")


def test_status_json_has_exactly_the_spec_keys(spring: Store, db_path: Path) -> None:
    run(db_path, "apply", "Spring", "ana", "--fee", "500")
    run(db_path, "apply", "Spring", "tiny")
    run(db_path, "invite", "Spring", "bob")
    run(db_path, "decide", "Spring", "ana", "accept", "--yes")
    status = run_json(db_path, "status", "Spring")
    assert set(status) == STATUS_KEYS
    assert status == {"all_candidates": 2, "new_applicants": 0, "in_campaign": 1, "rejected": 0,
                      "invited": 1, "applicants": 2, "budget_used_pct": 25.0,
                      "last_update": "2026-11-23T10:00:00+00:00", "clicks": 0, "clickers": 0,
                      "tracked_recipients": 0, "click_rate": None}
    text = run(db_path, "status", "Spring").stdout
    assert "budget used     500 of 2000 EUR (25.0%)" in text
    assert "by stage        invited 1, ineligible 1, in campaign 1" in text


def test_status_of_an_unknown_campaign(db_path: Path, store: Store) -> None:
    assert_user_error(run(db_path, "status", "Nope"), "There is no campaign named 'Nope'.")


def test_audit_lists_changes(spring: Store, db_path: Path) -> None:
    make_campaign(spring, "Autumn")
    run(db_path, "apply", "Spring", "ana")
    run(db_path, "apply", "Autumn", "bob")
    events = run_json(db_path, "audit", "--campaign", "Spring")
    stage_events = [e for e in events if e["action"] == "application.stage"]
    assert [(e["actor"], e["detail"]["handle"], e["detail"]["to"]) for e in stage_events] == [
        ("tester", "ana", "to review")]
    assert {e["campaign_id"] for e in events} == {1}
    text = run(db_path, "audit").stdout
    assert "@ana: new → to review (apply, acknowledgement queued)" in text
    assert "@bob: new → to review" in text


def test_template_list_show_and_check(spring: Store, db_path: Path, tmp_path: Path) -> None:
    rows = run_json(db_path, "template", "list", "Spring")
    assert {(r["kind"], r["source"]) for r in rows} >= {("invitation", "default"), ("bummer", "default")}
    body = tmp_path / "b.j2"
    body.write_text("Hi {{ firstName }}, code {{ code|default('none') }}", encoding="utf-8")
    assert run(db_path, "template", "set", "Spring", "invitation", "--lang", "en", "--subject", "Hey",
               "--body-file", str(body)).exit_code == 0
    listed = {r["kind"]: r["source"] for r in run_json(db_path, "template", "list", "Spring")}
    assert listed["invitation"] == "custom"
    shown = run(db_path, "template", "show", "Spring", "invitation").stdout
    assert "custom, by tester" in shown and "Hi {{ firstName }}" in shown
    rendered = run(db_path, "template", "show", "Spring", "invitation", "--handle", "ana").stdout
    assert "Subject: Hey" in rendered and "Hi Ana, code none" in rendered and "of 300 characters" in rendered


def test_template_check_reports_each_recipient_problem(spring: Store, db_path: Path, tmp_path: Path) -> None:
    add_influencer(spring, "coded", custom={"code": "Z9"})
    add_influencer(spring, "long", first_name="L" * 400)
    add_influencer(spring, "mute", email=None)
    run(db_path, "invite", "Spring", "coded", "long", "mute", "ana")
    body = tmp_path / "b.j2"
    body.write_text("Hi {{ firstName }}, your code is {{ code }}", encoding="utf-8")
    assert run(db_path, "template", "set", "Spring", "welcome", "--lang", "en", "--subject", "Hey",
               "--body-file", str(body)).exit_code == 0
    result = run(db_path, "template", "check", "Spring", "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    problems = {(p["handle"], p["kind"]): p["problem"] for p in report["problems"]}
    assert "'code' is undefined" in problems[("ana", "welcome")]
    assert ("coded", "welcome") not in problems
    assert problems[("long", "invitation")].startswith("the invitation is ")
    assert problems[("mute", "invitation")] == "no email address"
    assert report["checked"] > len(problems)


def test_triggers_set_list_off(spring: Store, db_path: Path) -> None:
    listed = {t["event"]: t for t in run_json(db_path, "trigger", "list", "Spring")}
    assert listed["submitted"] == {"event": "submitted", "template_kind": "acknowledgement", "enabled": True,
                                   "default": True}
    assert "shortlisted" not in listed
    result = run(db_path, "trigger", "off", "Spring", "submitted")
    assert "On submitted, 'Spring' now sends no email." in result.stdout
    run(db_path, "apply", "Spring", "ana")
    assert spring.writer.execute("SELECT count(*) FROM messages").fetchone()[0] == 0
    result = run(db_path, "trigger", "set", "Spring", "signed", "followup-3")
    assert "On signed, 'Spring' now sends the followup-3 template." in result.stdout
    result = run(db_path, "trigger", "set", "Spring", "to review", "welcome")
    assert result.exit_code == 0
    assert_user_error(run(db_path, "trigger", "set", "Spring", "shortlisted", "welcome"),
                      "The stage 'shortlisted' is private")
    assert_user_error(run(db_path, "trigger", "set", "Spring", "hired", "welcome"), "Unknown trigger event")
    listed = {t["event"]: t for t in run_json(db_path, "trigger", "list", "Spring")}
    assert (listed["submitted"]["enabled"], listed["signed"]["template_kind"]) == (False, "followup-3")


def _children_env(db_path: Path) -> dict:
    return {**os.environ, "CALLSHEET_DB": str(db_path)}


def _consistency(db_path: Path) -> tuple[int, int, int]:
    """(accepted stages, accepted emails, accept audit events), read from the file after a kill."""
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stages = conn.execute("SELECT count(*) FROM applications WHERE stage = 'in campaign'").fetchone()[0]
        emails = conn.execute("SELECT count(*) FROM messages WHERE kind = 'accepted'").fetchone()[0]
        events = conn.execute("SELECT count(*) FROM audit_events WHERE action = 'application.stage' "
                              "AND json_extract(detail, '$.via') = 'accept'").fetchone()[0]
        return stages, emails, events
    finally:
        conn.close()


def _kill_half_way(db_path: Path, *args: str) -> None:
    harness = Path(__file__).parent / "r2_harness.py"
    child = subprocess.Popen([sys.executable, str(harness), str(db_path), *args],
                             stdout=subprocess.PIPE, text=True, env=_children_env(db_path))
    try:
        assert child.stdout.readline().strip() == "half-way"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)


def test_r2_kill_9_during_a_bulk_accept_of_500(store: Store, db_path: Path) -> None:
    make_campaign(store)
    handles = add_people(store, 500)
    for handle in handles:
        pipeline.apply(store, "Spring", handle)
    store.close()
    _kill_half_way(db_path, "accept", "Spring", "250", *handles)
    assert _consistency(db_path) == (0, 0, 0)
    # Nothing to clean up by hand: the same command now runs to the end, all 500 at once.
    result = subprocess.run([sys.executable, "-m", "tui.cli", "--db", str(db_path), "decide", "Spring",
                             *handles, "accept", "--yes"], capture_output=True, text=True,
                            env=_children_env(db_path), timeout=60)
    assert result.returncode == 0, result.stderr
    assert _consistency(db_path) == (500, 500, 500)


def test_r2_kill_9_during_collaborate_then_it_runs_exactly_once(store: Store, db_path: Path) -> None:
    make_campaign(store)
    handles = add_people(store, 40)
    for handle in handles:
        pipeline.apply(store, "Spring", handle)
    pipeline.decide(store, "Spring", handles[:10], "accept")
    store.close()
    _kill_half_way(db_path, "collaborate", "Spring", "20")
    conn = sqlite3.connect(db_path)
    collaborated, bummers = conn.execute(
        "SELECT (SELECT collaborated_at FROM campaigns), "
        "(SELECT count(*) FROM messages WHERE kind IN ('bummer', 'congratulations'))").fetchone()
    conn.close()
    assert (collaborated, bummers) == (None, 0)
    reopened = Store(db_path)
    try:
        assert len(pipeline.collaborate(reopened, "Spring").moves) == 40
        with pytest.raises(Exception, match="runs only once"):
            pipeline.collaborate(reopened, "Spring")
    finally:
        reopened.close()
