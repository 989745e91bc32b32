"""R9 and the daemon: clock jumps, retiming, no re-planning, chores done once, a lease, a clean stop."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from mailer.daemon import Daemon, DaemonSettings, plan_due
from store.clock import Clock, from_iso, iso
from store.db import Store
from store.outreach_rules.windows import parse_window
from tests.outreach_helpers import add_influencers, fake_send, make_campaign, rows, tiny_renderer

PARIS = ZoneInfo("Europe/Paris")
OFFICE = parse_window("mon-fri 09:00-18:00")
ROOT = Path(__file__).parent.parent


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS).astimezone(UTC)


def sent_by_fake_dispatch(store: Store) -> list[str]:
    count = fake_send(store, store.clock.now())
    return [f"dispatch: {count} sent"] if count else []


def daemon(store: Store, log: list[str]) -> Daemon:
    """The daemon's own chores, with a stand-in for the SMTP dispatcher (not what R9 is about)."""
    made = Daemon(store, DaemonSettings(plan_hour=17), log=log.append, renderer=tiny_renderer())
    made.chores = [(name, chore) for name, chore in made.chores if name not in ("sync", "dispatch")]
    made.chores.append(("dispatch", sent_by_fake_dispatch))
    return made


def sendings(store: Store) -> dict[int, str]:
    sent = rows(store, "SELECT id, sent_at FROM messages WHERE status = 'sent'")
    return {r["id"]: r["sent_at"] for r in sent}


def in_window(moment: str) -> bool:
    local = from_iso(moment).astimezone(PARIS)
    return local.weekday() < 5 and 9 <= local.hour < 18


def test_r9_forward_jump_past_the_window_retimes_instead_of_blasting(store: Store) -> None:
    make_campaign(store, timezone="Europe/Paris", daily_cap=50)
    add_influencers(store, 120)
    log: list[str] = []
    runner = daemon(store, log)
    store.clock.pinned = paris(2026, 11, 23, 17, 5)  # Monday, after the plan hour
    runner.tick()
    assert any("plan Spring 2026-11-24: 50 planned" in line for line in log)
    for hour in range(9, 13):  # Tuesday morning goes out on time
        store.clock.pinned = paris(2026, 11, 24, hour)
        runner.tick()
    sent_before = rows(store, "SELECT id FROM messages WHERE status = 'sent'")
    assert 0 < len(sent_before) < 50
    store.clock.pinned = paris(2026, 11, 24, 21)  # +3 h past the window's end
    runner.tick()
    assert any(line.startswith(f"{iso(store.clock.now())} retime Spring:") for line in log)
    sent = rows(store, "SELECT * FROM messages WHERE status = 'sent'")
    assert len(sent) == len(sent_before), "nothing was blasted outside the window"
    retimed = rows(store, "SELECT * FROM messages WHERE flags LIKE '%retimed%'")
    assert len(retimed) == 50 - len(sent_before)
    assert all(in_window(r["scheduled_at"]) and r["plan_date"] == "2026-11-25" for r in retimed)
    assert all(from_iso(r["scheduled_at"]) >= paris(2026, 11, 25, 9) for r in retimed)
    store.clock.pinned = paris(2026, 11, 25, 9)
    while store.clock.now() < paris(2026, 11, 25, 18):  # Wednesday: retimed and planned ones go out
        runner.tick()
        store.clock.advance(timedelta(minutes=10))
    everything = rows(store, "SELECT * FROM messages WHERE kind = 'invitation'")
    assert all(r["status"] == "sent" and in_window(r["sent_at"]) for r in everything
               if r["plan_date"] <= "2026-11-25")
    wednesday = [r for r in everything if r["plan_date"] == "2026-11-25"]
    assert len(wednesday) == 50, "the retimed count against Wednesday's cap"


def test_r9_backward_jump_sends_nothing_twice_and_does_not_replan(store: Store) -> None:
    make_campaign(store, timezone="Europe/Paris", daily_cap=20)
    add_influencers(store, 60)
    log: list[str] = []
    runner = daemon(store, log)
    store.clock.pinned = paris(2026, 11, 23, 17, 30)
    runner.tick()
    store.clock.pinned = paris(2026, 11, 24, 14)
    runner.tick()
    sent_at = sendings(store)
    store.clock.pinned = paris(2026, 11, 24, 13)  # -1 h, inside the window
    runner.tick()
    store.clock.pinned = paris(2026, 11, 23, 17, 45)  # back before the plan ran
    runner.tick()
    assert sendings(store) == sent_at, "every sent message kept its one sending"
    assert len(rows(store, "SELECT * FROM plan_runs")) == 1
    assert len(rows(store, "SELECT * FROM messages")) == 20
    assert sum("plan Spring" in line for line in log) == 1


def test_r9_a_day_forward_closes_campaigns_and_expires_agreements_once(store: Store) -> None:
    campaign = make_campaign(store, timezone="Europe/Paris", daily_cap=5, closes="2026-11-24")
    make_campaign(store, "Other", timezone="Europe/Paris", daily_cap=5)
    ids = add_influencers(store, 3)
    with store.write() as db:
        db.conn.execute("INSERT INTO applications (influencer_id, campaign_id, source, stage, "
                        "agreement_state, agreement_deadline, created_at, updated_at) "
                        "VALUES (?, 2, 'applied', 'agreement sent', 'sent', ?, 'x', 'x')",
                        (ids[0], iso(paris(2026, 11, 24, 12))))
    log: list[str] = []
    runner = daemon(store, log)
    store.clock.pinned = paris(2026, 11, 23, 17, 30)
    runner.tick()
    queued = rows(store, "SELECT * FROM messages WHERE campaign_id = ? AND status = 'queued'",
                  (campaign.id,))
    assert len(queued) == 3
    for _ in range(3):
        store.clock.advance(timedelta(days=1))
        runner.tick()
    closes = [e for e in rows(store, "SELECT * FROM audit_events WHERE action = 'campaign.close'")]
    assert len(closes) == 1 and closes[0]["entity_id"] == campaign.id
    expired = rows(store, "SELECT * FROM audit_events WHERE action = 'application.stage' "
                          "AND json_extract(detail, '$.to') = 'expired'")
    assert len(expired) == 1
    assert rows(store, "SELECT stage FROM applications WHERE influencer_id = ? AND campaign_id = 2",
                (ids[0],)) == [{"stage": "expired"}]
    closed_campaign = rows(store, "SELECT status FROM campaigns WHERE id = ?", (campaign.id,))
    assert closed_campaign == [{"status": "closed"}]


def test_plan_due_waits_for_the_local_plan_hour(store: Store) -> None:
    make_campaign(store, timezone="America/New_York", daily_cap=2)
    add_influencers(store, 5)
    store.clock.pinned = datetime(2026, 11, 23, 21, 59, tzinfo=UTC)  # 16:59 in New York
    assert plan_due(store, store.clock.now(), 17, tiny_renderer()) == []
    store.clock.pinned = datetime(2026, 11, 23, 22, 0, tzinfo=UTC)
    assert plan_due(store, store.clock.now(), 17, tiny_renderer()) == [
        "plan Spring 2026-11-24: 2 planned, 0 flagged"]
    assert plan_due(store, store.clock.now(), 17, tiny_renderer()) == []


def test_two_daemons_on_one_file_do_no_double_work(db_path: Path) -> None:
    clock = Clock.fixed(paris(2026, 11, 23, 17, 30))
    first, second = Store(db_path, clock, actor="tester"), Store(db_path, clock, actor="tester")
    make_campaign(first, timezone="Europe/Paris", daily_cap=10)
    add_influencers(first, 30)
    logs: tuple[list[str], list[str]] = ([], [])
    runners = [daemon(first, logs[0]), daemon(second, logs[1])]
    assert [runner.tick() for runner in runners] == [True, False]
    assert any("standby" in line for line in logs[1])
    assert len(rows(first, "SELECT * FROM messages")) == 10
    runners[0].stop.set()
    runners[0].run()  # stops at once and gives the lease up
    assert runners[1].tick() is True and any("took over" in line for line in logs[1])
    first.close()
    second.close()


def _spawn(db_path: Path, now_file: Path, *extra: str) -> subprocess.Popen:
    env = {**os.environ, "CALLSHEET_NOW_FILE": str(now_file), "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "tui.cli", "--db", str(db_path), "run", "--interval", "0.1", *extra]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def _wait_for(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.05)


def _set_time(now_file: Path, moment: datetime) -> None:
    temporary = now_file.with_suffix(".tmp")
    temporary.write_text(iso(moment))
    temporary.replace(now_file)  # atomic: the daemon never reads half a time


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_daemon_subprocess_follows_the_clock_file_and_stops_cleanly(db_path: Path, tmp_path: Path,
                                                                    sig: signal.Signals) -> None:
    now_file = tmp_path / "now"
    _set_time(now_file, paris(2026, 11, 23, 12))
    store = Store(db_path, Clock.from_env({"CALLSHEET_NOW_FILE": str(now_file)}), actor="tester")
    make_campaign(store, timezone="Europe/Paris", daily_cap=6)
    add_influencers(store, 10)
    process = _spawn(db_path, now_file)
    try:
        _wait_for(lambda: rows(store, "SELECT 1 FROM settings WHERE key = 'lease:daemon'"))
        assert rows(store, "SELECT * FROM plan_runs") == [], "before the plan hour"
        _set_time(now_file, paris(2026, 11, 23, 17, 1))
        _wait_for(lambda: rows(store, "SELECT * FROM plan_runs"))
        _set_time(now_file, paris(2026, 11, 24, 21))  # past Tuesday's window: nothing may leave now
        _wait_for(lambda: len(rows(store, "SELECT 1 FROM messages WHERE flags LIKE '%retimed%'")) == 6)
        process.send_signal(sig)
        out, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("2026-11-23T11:00:00+00:00 start pid")
    assert "2026-11-23T16:01:00+00:00 plan Spring 2026-11-24: 6 planned, 0 flagged" in lines
    assert any(line.startswith("2026-11-24T20:00:00+00:00 retime Spring: 6 due outside the window moved to "
                               "2026-11-25 09:00 CET") for line in lines)
    assert lines[-1].endswith(" stopped")
    assert "Traceback" not in err
    assert rows(store, "SELECT 1 FROM settings WHERE key = 'lease:daemon'") == []
    assert all(json.loads(r["flags"]) == ["retimed"] for r in rows(store, "SELECT flags FROM messages"))
    store.close()


def test_second_daemon_process_stands_by(db_path: Path, tmp_path: Path) -> None:
    now_file = tmp_path / "now"
    _set_time(now_file, paris(2026, 11, 23, 17, 30))
    store = Store(db_path, Clock.from_env({"CALLSHEET_NOW_FILE": str(now_file)}), actor="tester")
    make_campaign(store, timezone="Europe/Paris", daily_cap=6)
    add_influencers(store, 10)
    processes = [_spawn(db_path, now_file), _spawn(db_path, now_file)]
    outputs: list[list[str]] = [[], []]
    readers = [threading.Thread(target=lambda p=p, out=out: out.extend(p.stdout), daemon=True)
               for p, out in zip(processes, outputs, strict=True)]
    for reader in readers:
        reader.start()
    try:
        _wait_for(lambda: all(any(" start pid" in line for line in out) for out in outputs))
        _wait_for(lambda: any("standby" in line for out in outputs for line in out))
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(timeout=10)
        for reader in readers:
            reader.join(timeout=5)
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
    assert [process.returncode for process in processes] == [0, 0]
    assert sum(any("standby" in line for line in out) for out in outputs) == 1
    assert sum(any("plan Spring" in line for line in out) for out in outputs) == 1
    assert len(rows(store, "SELECT * FROM messages")) == 6
    store.close()


def test_a_chore_and_its_log_line_read_one_now(db_path: Path, tmp_path: Path) -> None:
    """The clock file moves while a chore runs: the chore keeps its instant, its line is stamped with it."""
    now_file = tmp_path / "now"
    _set_time(now_file, paris(2026, 11, 23, 17, 1))
    store = Store(db_path, Clock.from_env({"CALLSHEET_NOW_FILE": str(now_file)}), actor="tester")
    seen: list[datetime] = []

    def chore(store: Store) -> list[str]:
        seen.append(store.clock.now())
        _set_time(now_file, paris(2026, 11, 24, 21))
        seen.append(store.clock.now())
        return ["plan done"]

    log: list[str] = []
    Daemon(store, DaemonSettings(), log=log.append, chores=[("plan", chore)]).run(once=True)
    assert seen == [paris(2026, 11, 23, 17, 1)] * 2
    assert f"{iso(paris(2026, 11, 23, 17, 1))} plan done" in log
    assert store.clock.now() == paris(2026, 11, 24, 21), "the clock follows the file again after the chore"
    store.close()
