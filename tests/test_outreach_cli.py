"""The outreach commands as scripts use them: plan, --dry-run, moderation, campaign sequence, run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mailer import daemon
from store.clock import Clock
from store.db import Store
from tests.cli_helpers import assert_user_error, run, run_json
from tests.outreach_helpers import add_influencers, fake_send, rows


@pytest.fixture
def workspace(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A Paris campaign (fr, en; cap 4) and 10 influencers; Monday 23 Nov 2026, 19:00 in Paris."""
    monkeypatch.setenv("CALLSHEET_NOW", "2026-11-23T18:00:00+00:00")
    assert run(db_path, "campaign", "create", "Spring", "--sender", "casting@brand.example",
               "--timezone", "Europe/Paris", "--daily-cap", "4", "--languages", "fr,en",
               "--segment", "has:email").exit_code == 0
    store = Store(db_path, Clock.from_env(), actor="tester")
    add_influencers(store, 5, language="fr")
    add_influencers(store, 5, start=5, language="en")
    store.close()
    return db_path


def test_plan_json_and_idempotence(workspace: Path) -> None:
    first = run_json(workspace, "plan")
    assert (first["date"], first["planned"], first["flagged"]) == ("2026-11-24", 4, 0)
    again = run_json(workspace, "plan")
    assert (again["planned"], again["flagged"]) == (0, 0)
    assert again["campaigns"][0]["already_planned"] is True
    assert run(workspace, "plan").stdout == "Spring, Tue 2026-11-24: already planned; nothing new.\n"
    assert len(rows_of(workspace, "SELECT id FROM messages WHERE kind = 'invitation'")) == 4


def rows_of(db_path: Path, sql: str, params: tuple = ()) -> list[dict]:
    store = Store(db_path, Clock.from_env(), actor="tester")
    try:
        return rows(store, sql, params)
    finally:
        store.close()


@pytest.mark.parametrize(("args", "fragment"), [
    (("plan", "--date", "tomorrow"), "--date 'tomorrow' is not a date"),
    (("plan", "--days", "3"), "--days goes with --dry-run"),
    (("plan", "--dry-run", "--days", "0"), "--days takes a number of days from 1 to 366"),
    (("plan", "--campaign", "Nope"), "There is no campaign named 'Nope'"),
    (("campaign", "sequence", "Spring", "--followups", "7,3"), "increasing day offsets"),
    (("campaign", "sequence", "Spring", "--followups", "soon"), "--followups takes day offsets"),
    (("moderation", "skip", "999"), "Skipped 0 invitations; 1 left as they were"),
    (("moderation", "language", "999", "fr"), "There is no invitation #999 in the queue"),
])
def test_bad_input_is_one_sentence_and_changes_nothing(workspace: Path, args: tuple, fragment: str) -> None:
    before = rows_of(workspace, "SELECT count(*) AS n FROM messages")
    result = run(workspace, *args)
    if args[:2] == ("moderation", "skip"):
        assert result.exit_code == 1 and fragment in result.stdout
    else:
        assert_user_error(result, fragment)
    assert rows_of(workspace, "SELECT count(*) AS n FROM messages") == before


def test_a_viewer_cannot_plan(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CALLSHEET_USER", "someone")
    assert_user_error(run(workspace, "plan"), "someone is a viewer and may not manage campaigns")


def test_dry_run_matches_what_is_later_planned(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    preview = run_json(workspace, "plan", "--dry-run", "--days", "3")
    assert preview["from"] == "2026-11-24" and preview["days"] == 3
    expected = {(m["date"], m["local_time"], m["handle"], m["language"], m["window"])
                for m in preview["messages"] if m["kind"] == "invitation"}
    assert len(expected) == 10, "4 + 4 + the last 2 of the segment"
    assert rows_of(workspace, "SELECT count(*) AS n FROM messages")[0]["n"] == 0, "a dry run writes nothing"
    real = set()
    for day, evening in (("2026-11-24", "2026-11-23T18:00:00+00:00"),
                         ("2026-11-25", "2026-11-24T18:00:00+00:00"),
                         ("2026-11-26", "2026-11-25T18:00:00+00:00")):
        monkeypatch.setenv("CALLSHEET_NOW", evening)
        run_json(workspace, "plan", "--date", day)
        listed = run_json(workspace, "moderation", "list", "--date", day)["messages"]
        real |= {(m["plan_date"], m["local_time"][11:], m["handle"], m["language"], "mon-fri 09:00-18:00")
                 for m in listed}
    assert real == expected


def test_dry_run_table_names_window_cap_and_stop_rule(workspace: Path) -> None:
    output = run(workspace, "plan", "--dry-run", "--days", "2").stdout
    assert "09:00 CET" in output and "mon-fri 09:00-18:00" in output and "1/4" in output
    assert "nothing was written" in output


def test_moderation_commands_change_the_queue_and_audit_it(workspace: Path) -> None:
    run_json(workspace, "plan")
    listed = run_json(workspace, "moderation", "list")
    ids = [m["id"] for m in listed["messages"]]
    assert listed["counters"] == {"to_review": 4, "approved": 0, "skipped": 0, "flagged": 0}
    assert run(workspace, "moderation", "skip", str(ids[0])).stdout == "Skipped 1 invitation.\n"
    fr = next(m for m in listed["messages"] if m["language"] == "fr")
    out = run(workspace, "moderation", "language", str(fr["id"]), "en")
    assert out.exit_code == 0 and f"#{fr['id']} is now in en" in out.stdout
    result = run(workspace, "moderation", "edit", str(ids[2]), "--body-file", "-", input="x" * 400)
    assert "400/300 characters, planned (over_limit)" in result.stdout
    assert run(workspace, "moderation", "approve", "--all").stdout.startswith("Approved 2 invitations")
    counters = run_json(workspace, "moderation", "list")["counters"]
    assert counters == {"to_review": 0, "approved": 2, "skipped": 1, "flagged": 1}
    assert run(workspace, "moderation", "unskip", str(ids[0])).stdout == "Unskipped 1 invitation.\n"
    actions = [e["action"] for e in run_json(workspace, "audit") if e["action"].startswith("moderation.")]
    assert sorted(set(actions)) == ["moderation.approve", "moderation.edit", "moderation.language",
                                    "moderation.skip", "moderation.unskip"]
    statuses = {r["id"]: r["status"] for r in rows_of(workspace, "SELECT id, status FROM messages")}
    assert statuses[ids[0]] == "queued" and statuses[ids[2]] == "planned"


def test_campaign_sequence_shows_and_sets(workspace: Path) -> None:
    shown = run_json(workspace, "campaign", "sequence", "Spring")
    assert shown == {"campaign": "Spring", "welcome": True, "stop_if_ongoing": True, "stop_if_incoming": True,
                     "followups": []}
    result = run(workspace, "campaign", "sequence", "Spring", "--no-stop-if-ongoing", "--followups", "3,7")
    assert result.stdout == ("Spring: welcome (stop if incoming); follow-ups: +3d, +7d.\n")
    assert run_json(workspace, "campaign", "sequence", "Spring")["followups"] == [3, 7]


def test_an_accept_through_the_pipeline_gets_its_welcome(workspace: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    run_json(workspace, "plan")
    monkeypatch.setenv("CALLSHEET_NOW", "2026-11-24T17:30:00+00:00")
    store = Store(workspace, Clock.from_env(), actor="tester")
    fake_send(store, store.clock.now())
    store.close()
    first = rows_of(workspace, "SELECT i.handle FROM messages m JOIN influencers i "
                               "ON i.id = m.influencer_id WHERE m.kind = 'invitation' ORDER BY m.id")
    handle = first[0]["handle"]
    assert run(workspace, "apply", "Spring", handle).exit_code == 0  # records their yes
    assert run(workspace, "run", "--once", "--plan-hour", "23").exit_code == 0
    [welcome] = rows_of(workspace, "SELECT * FROM messages WHERE kind = 'welcome'")
    assert welcome["scheduled_at"] == "2026-11-25T08:00:00+00:00" and welcome["status"] == "planned"
    monkeypatch.setenv("CALLSHEET_NOW", "2026-11-25T08:00:05+00:00")
    log = run(workspace, "run", "--once", "--plan-hour", "23").stdout
    assert f"welcome Spring @{handle}: due, queued" in log
    assert json.loads(welcome["flags"]) == []


def test_a_campaign_without_a_segment_invites_nobody_and_says_why(db_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CALLSHEET_NOW", "2026-11-23T18:00:00+00:00")
    assert run(db_path, "campaign", "create", "Glow", "--sender", "casting@brand.example").exit_code == 0
    store = Store(db_path, Clock.from_env(), actor="tester")
    add_influencers(store, 5)
    assert daemon.plan_due(store, store.clock.now(), plan_hour=17) == []
    store.close()
    why = "Glow has no segment: nothing is planned for it."
    result = run(db_path, "plan")
    assert result.exit_code == 0 and result.stdout.strip() == why
    [planned] = run_json(db_path, "plan")["campaigns"]
    assert (planned["planned"], planned["skipped"], planned["note"]) == (0, True, why[:-1])
    assert rows_of(db_path, "SELECT count(*) AS n FROM messages")[0]["n"] == 0
    assert rows_of(db_path, "SELECT count(*) AS n FROM applications")[0]["n"] == 0
    dry = run(db_path, "plan", "--dry-run")
    assert dry.stdout.splitlines()[0] == why and "Nothing would be sent" in dry.stdout
    assert run_json(db_path, "plan", "--dry-run")["notes"] == [why[:-1]]
    assert run(db_path, "moderation", "list").stdout.splitlines() == ["The moderation queue is empty.", why]
    assert run_json(db_path, "moderation", "list")["notes"] == [why[:-1]]


def test_pause_and_resume_one_state_shown_everywhere(workspace: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CALLSHEET_USER", "visitor")
    assert_user_error(run(workspace, "campaign", "pause", "Spring"), "visitor is a viewer")
    monkeypatch.setenv("CALLSHEET_USER", "tester")
    result = run(workspace, "campaign", "pause", "Spring", "--reason", "brief under review")
    assert result.exit_code == 0, result.output
    state = "paused by tester: brief under review"
    assert result.stdout.startswith(f"Spring is {state}: nothing is planned or sent")
    assert_user_error(run(workspace, "campaign", "pause", "Spring"), f"Spring is {state}; only an open")
    assert state in run(workspace, "campaign", "list").stdout
    shown = run(workspace, "campaign", "show", "Spring").stdout
    assert shown.splitlines()[0].split(None, 1) == ["state", state]
    assert f"state           {state}" in run(workspace, "status", "Spring").stdout
    why = f"Spring is {state}; nothing is planned or sent for it until it is resumed."
    assert run(workspace, "plan").stdout.strip() == why
    dry = run(workspace, "plan", "--dry-run")
    assert "would be planned" not in dry.stdout and dry.stdout.splitlines()[0] == why
    assert run_json(workspace, "plan", "--dry-run", "--campaign", "Spring")["messages"] == []
    assert rows_of(workspace, "SELECT count(*) AS n FROM messages")[0]["n"] == 0
    result = run(workspace, "campaign", "resume", "Spring")
    assert result.stdout.strip() == "Spring is open again: its queued mail goes out."
    assert_user_error(run(workspace, "campaign", "resume", "Spring"), "Spring is open, not paused")
    assert run_json(workspace, "plan")["planned"] == 4
    events = rows_of(workspace, "SELECT action, actor, json_extract(detail, '$.reason') AS reason "
                                "FROM audit_events WHERE action IN ('campaign.pause', 'campaign.resume')")
    reason = "Paused by tester: brief under review"
    assert events == [{"action": "campaign.pause", "actor": "tester", "reason": reason},
                      {"action": "campaign.resume", "actor": "tester", "reason": reason}]


def test_a_paused_campaign_with_a_planned_day_shows_its_queue_held(workspace: Path) -> None:
    run_json(workspace, "plan")
    run(workspace, "campaign", "pause", "Spring")
    notes = {p["note"] for p in run_json(workspace, "plan", "--dry-run")["messages"]}
    assert notes == {"queued; held: the campaign is paused"}
