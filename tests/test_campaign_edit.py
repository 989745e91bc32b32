"""`callsheet campaign edit | close | reopen`: settings after creation and what they do to planned mail."""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from store.clock import Clock, from_iso
from store.db import Store
from tests.cli_helpers import assert_user_error, run, run_json
from tests.outreach_helpers import add_influencers, rows

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def workspace(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A Paris campaign (cap 4), Tuesday's four invitations planned; Monday 23 Nov 2026, 19:00 in Paris."""
    monkeypatch.setenv("CALLSHEET_NOW", "2026-11-23T18:00:00+00:00")
    monkeypatch.setenv("CALLSHEET_USER", "tester")
    assert run(db_path, "campaign", "create", "Spring", "--sender", "casting@brand.example",
               "--timezone", "Europe/Paris", "--daily-cap", "4", "--segment", "has:email").exit_code == 0
    store = Store(db_path, Clock.from_env(), actor="tester")
    add_influencers(store, 6)
    store.close()
    assert run_json(db_path, "plan")["planned"] == 4
    return db_path


def _query(db_path: Path, sql: str, params: tuple = ()) -> list[dict]:
    store = Store(db_path, Clock.from_env(), actor="tester")
    try:
        return rows(store, sql, params)
    finally:
        store.close()


def _invitations(db_path: Path) -> list[dict]:
    return _query(db_path, "SELECT id, status, scheduled_at, flags FROM messages WHERE kind = 'invitation' "
                           "ORDER BY scheduled_at, id")


def _local(row: dict) -> datetime:
    return from_iso(row["scheduled_at"]).astimezone(PARIS)


def _digest(db_path: Path) -> str:
    found = _query(db_path, "SELECT * FROM campaigns") + _query(db_path, "SELECT * FROM messages")
    found += _query(db_path, "SELECT * FROM audit_events WHERE action != 'refused'")
    return hashlib.sha256(repr(found).encode()).hexdigest()


def test_a_narrower_window_retimes_the_unsent_invitations_into_it(workspace: Path) -> None:
    before = _invitations(workspace)
    outside = [row for row in before if not 14 <= _local(row).hour < 15]
    result = run(workspace, "campaign", "edit", "Spring", "--window", "mon-fri 14:00-15:00")
    assert result.exit_code == 0, result.output
    assert result.stdout == (f"Edited Spring: --window; {len(outside)} unsent invitation"
                             f"{'s' if len(outside) != 1 else ''} re-timed to fit.\n")
    after = _invitations(workspace)
    assert len(after) == 4 and {row["status"] for row in after} == {"queued"}
    assert all(_local(row).date().isoformat() == "2026-11-24" and 14 <= _local(row).hour < 15
               for row in after)
    moved = {row["id"] for row in outside}
    assert {row["id"] for row in after if "retimed" in row["flags"]} == moved
    shown = run_json(workspace, "campaign", "show", "Spring")
    assert shown["windows"] == ["mon-fri 14:00-15:00"]


def test_a_lower_cap_moves_the_extra_invitations_to_the_next_day(workspace: Path) -> None:
    edited = run_json(workspace, "campaign", "edit", "Spring", "--daily-cap", "2")
    assert (edited["daily_cap"], edited["retimed"]) == (2, 2)
    assert edited["changes"] == {"daily_cap": {"from": 4, "to": 2}}
    days = [_local(row).date().isoformat() for row in _invitations(workspace)]
    assert days == ["2026-11-24", "2026-11-24", "2026-11-25", "2026-11-25"]
    assert all(9 <= _local(row).hour < 18 for row in _invitations(workspace))


def test_a_new_zone_keeps_the_invitations_inside_the_windows_of_that_zone(workspace: Path) -> None:
    edited = run_json(workspace, "campaign", "edit", "Spring", "--timezone", "America/New_York")
    york = ZoneInfo("America/New_York")
    times = [from_iso(row["scheduled_at"]).astimezone(york) for row in _invitations(workspace)]
    assert edited["retimed"] == sum("retimed" in row["flags"] for row in _invitations(workspace))
    assert edited["retimed"] > 0 and all(9 <= when.hour < 18 and when.weekday() < 5 for when in times)


def test_a_new_invite_limit_holds_and_releases_planned_invitations(workspace: Path) -> None:
    tight = run(workspace, "campaign", "edit", "Spring", "--invite-limit", "10")
    assert "4 invitations now over the limit and held, 0 released" in tight.stdout, tight.output
    held = _invitations(workspace)
    assert {row["status"] for row in held} == {"planned"}
    assert all("over_limit" in row["flags"] for row in held)
    listed = run_json(workspace, "moderation", "list")
    assert (listed["counters"]["flagged"], listed["counters"]["approved"]) == (4, 0)
    loose = run_json(workspace, "campaign", "edit", "Spring", "--invite-limit", "1000")
    assert (loose["flagged"], loose["unflagged"]) == (0, 4)
    assert {row["status"] for row in _invitations(workspace)} == {"queued"}
    [event] = _query(workspace, "SELECT json_extract(detail, '$.flagged') AS flagged FROM audit_events "
                                "WHERE action = 'invitation.limit_check' "
                                "AND json_extract(detail, '$.limit') = 10")
    assert event["flagged"] == 4


def test_a_new_segment_applies_from_the_next_planning_day(workspace: Path) -> None:
    result = run(workspace, "campaign", "edit", "Spring", "--segment", "followers:999999")
    assert result.stdout.strip().endswith("the new segment applies from the next planning day; "
                                          "invitations already planned stay.")
    assert len(_invitations(workspace)) == 4


def test_the_edit_is_audited_with_before_and_after(workspace: Path) -> None:
    run(workspace, "campaign", "edit", "Spring", "--daily-cap", "3", "--brief", "Bring the sun",
        "--name", "Spring 27")
    [event] = [e for e in run_json(workspace, "audit") if e["action"] == "campaign.edit"]
    assert event["actor"] == "tester"
    assert event["detail"]["changes"] == {"name": {"from": "Spring", "to": "Spring 27"},
                                          "brief": {"from": "", "to": "Bring the sun"},
                                          "daily_cap": {"from": 4, "to": 3}}
    assert run_json(workspace, "campaign", "show", "Spring 27")["daily_cap"] == 3


def test_editing_to_the_same_values_changes_nothing(workspace: Path) -> None:
    before = _digest(workspace)
    assert run(workspace, "campaign", "edit", "Spring", "--daily-cap", "4").stdout == (
        "Spring already has those settings; nothing changed.\n")
    assert _digest(workspace) == before
    assert_user_error(run(workspace, "campaign", "edit", "Spring"), "Nothing to change")


@pytest.mark.parametrize(("args", "fragment"), [
    (["--daily-cap", "-1"], "--daily-cap cannot be negative"),
    (["--timezone", "Mars/Olympus"], "Unknown time zone"),
    (["--window", "mon-fri 9-18"], "is not of the form"),
    (["--closes", "2026-11-01"], "is already past; to stop taking candidates now use"),
    (["--opens", "2026-12-10", "--closes", "2026-12-01"], "--closes must be after --opens"),
    (["--segment", "segment:Nope"], "There is no segment named 'Nope'"),
    (["--segment", "followers:lots"], "followers needs a number"),
    (["--name", "Other"], "A campaign named 'Other' already exists."),
    (["--min-engagement", "140"], "cannot exceed 100"),
])
def test_bad_values_are_one_sentence_and_change_nothing(workspace: Path, args: list[str],
                                                        fragment: str) -> None:
    assert run(workspace, "campaign", "create", "Other").exit_code == 0
    before = _digest(workspace)
    assert_user_error(run(workspace, "campaign", "edit", "Spring", *args), fragment)
    assert _digest(workspace) == before


@pytest.mark.parametrize(("login", "role"), [("visitor", None), ("eve", "evaluator"), ("mo", "moderator")])
def test_only_a_manager_edits_closes_or_reopens(workspace: Path, monkeypatch: pytest.MonkeyPatch,
                                                login: str, role: str | None) -> None:
    if role:
        assert run(workspace, "operator", "add", login, "--role", role).exit_code == 0
    monkeypatch.setenv("CALLSHEET_USER", login)
    before = _digest(workspace)
    shown = role or "viewer"
    article = "an" if shown[0] in "aeiou" else "a"
    for args in (("edit", "Spring", "--daily-cap", "1"), ("close", "Spring"),
                 ("reopen", "Spring", "--closes", "2027-01-01")):
        assert_user_error(run(workspace, "campaign", *args), f"{login} is {article} {shown} and may not")
    assert _digest(workspace) == before
    refusals = _query(workspace, "SELECT actor, json_extract(detail, '$.permission') AS permission "
                                 "FROM audit_events WHERE action = 'refused'")
    assert refusals == [{"actor": login, "permission": "manage_campaign"}] * 3


def test_close_stops_applications_and_the_queue_and_reopen_takes_them_again(workspace: Path) -> None:
    result = run(workspace, "campaign", "close", "Spring")
    assert result.stdout == ("Spring is closed: it takes no new candidates; 4 unsent outreach messages "
                             "skipped. Reopen it with `callsheet campaign reopen Spring "
                             "--closes DATETIME`.\n")
    assert {row["status"] for row in _invitations(workspace)} == {"skipped"}
    assert_user_error(run(workspace, "apply", "Spring", "person5"), "closed")
    assert "closed" in run(workspace, "campaign", "list").stdout
    assert "state           closed" in run(workspace, "status", "Spring").stdout
    dry = run(workspace, "plan", "--dry-run", "--campaign", "Spring").stdout
    assert dry.splitlines()[0] == "Spring is closed: nothing is planned for it."
    assert_user_error(run(workspace, "campaign", "close", "Spring"), "Spring is already closed.")
    assert_user_error(run(workspace, "campaign", "reopen", "Spring", "--closes", "2026-11-01"),
                      "is not in the future")
    reopened = run(workspace, "campaign", "reopen", "Spring", "--closes", "2026-12-20")
    assert reopened.stdout.startswith("Spring is open again until 2026-12-20 23:59 CET")
    assert run(workspace, "apply", "Spring", "person5").exit_code == 0
    shown = run_json(workspace, "campaign", "show", "Spring")
    assert (shown["status"], shown["closes_at"]) == ("open", "2026-12-20T22:59:59+00:00")
    actions = [e["action"] for e in run_json(workspace, "audit") if e["action"].startswith("campaign.")]
    assert actions[-2:] == ["campaign.close", "campaign.reopen"]


def test_reopen_is_refused_once_the_collaboration_started(workspace: Path) -> None:
    assert run(workspace, "apply", "Spring", "person5").exit_code == 0
    assert run(workspace, "decide", "Spring", "person5", "accept", "--yes").exit_code == 0
    started = run(workspace, "collaborate", "Spring", "--yes")
    assert started.exit_code == 0, started.output
    run(workspace, "campaign", "close", "Spring")
    assert_user_error(run(workspace, "campaign", "reopen", "Spring", "--closes", "2027-01-01"),
                      "started its collaboration")
    assert run_json(workspace, "campaign", "show", "Spring")["status"] == "closed"


def test_a_paused_campaign_closed_and_reopened_is_open_without_its_old_reason(workspace: Path) -> None:
    run(workspace, "campaign", "pause", "Spring", "--reason", "legal")
    run(workspace, "campaign", "close", "Spring")
    run(workspace, "campaign", "reopen", "Spring", "--closes", "2026-12-20")
    shown = run_json(workspace, "campaign", "show", "Spring")
    assert (shown["status"], shown["paused_reason"]) == ("open", None)


def test_create_refuses_a_segment_naming_no_saved_segment(db_path: Path) -> None:
    assert_user_error(run(db_path, "campaign", "create", "Spring", "--segment", "segment:Nope"),
                      "There is no segment named 'Nope'")
    assert not db_path.exists(), "a refused first command leaves no workspace behind"
    assert_user_error(run(db_path, "campaign", "list"), "There is no workspace at")


def test_edited_windows_decide_when_the_real_server_gets_the_invitations(
        workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.dispatch_helpers import ThreadedSink

    assert run(workspace, "campaign", "edit", "Spring", "--window", "tue 14:00-15:00").exit_code == 0
    with ThreadedSink() as sink:
        monkeypatch.setenv("CALLSHEET_SMTP_URL", f"smtp://127.0.0.1:{sink.port}?tls=none")
        monkeypatch.setenv("CALLSHEET_NOW", "2026-11-24T12:59:00+00:00")  # 13:59 in Paris
        assert run_json(workspace, "dispatch", "--until-empty")["sent"] == 0
        monkeypatch.setenv("CALLSHEET_NOW", "2026-11-24T13:59:50+00:00")  # the window's last seconds
        assert run_json(workspace, "dispatch", "--until-empty")["sent"] == 4
        assert len(sink.received) == 4
    sent = _query(workspace, "SELECT sent_at FROM messages WHERE kind = 'invitation' AND status = 'sent'")
    assert len(sent) == 4
