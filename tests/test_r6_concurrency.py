"""R6: two writers, an operator, three readers and the app on one WAL file; nothing is ever "locked".

`callsheet run` and a `callsheet dispatch --until-empty` loop send 2,000 queued messages to
an aiosmtpd sink in a process of its own, while an operator process invites, records
applications, decides, sets a template and writes notes, three reader processes loop over
`status`, `inbox` and `influencers`, and the app (whose own dispatcher thread is a third
sender) switches between its four modes. The load lasts LOAD_SECONDS (the RELIABILITY doc
says 20 s; 12 s here so setup, load and checks fit in ~25 s), and longer only until the
seeded mail is out and every part did its minimum, so a starved machine checks the same.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from textual.worker import WorkerState

from mailer.config import DispatchSettings
from store.clock import Clock
from store.db import Store
from tests.dispatch_helpers import SinkProcess, prebuild_quickly, queue
from tests.pipeline_helpers import make_campaign
from tui.app import make_app

ROOT = Path(__file__).parent.parent
NOW = "2026-11-23T10:00:00+00:00"  # a Monday, inside the campaign's mon-fri 09:00-18:00 UTC window
MESSAGES = 2000
LOAD_SECONDS = 12.0
HARD_LIMIT_SECONDS = 120.0  # on a starved machine the minimums below stretch the load up to this
APP_MINIMUM_SWITCHES = 4  # every mode once, more while the load lasts
PEOPLE = 120  # operator's pool: handles op0000…; each round uses two
TROUBLE = re.compile(r"OperationalError|locked|busy|Traceback", re.IGNORECASE)
MODES = ("1", "2", "3", "4")


@dataclass
class Loop:
    """One looping process role: every command it ran, with exit code and output."""

    name: str
    minimum: int = 2  # commands to run before it may stop, however slow the machine
    runs: list[tuple[list[str], int, str, str]] = field(default_factory=list)

    def done_enough(self) -> bool:
        return len(self.runs) >= self.minimum

    def failures(self) -> list[tuple[list[str], int, str]]:
        return [(args, code, err) for args, code, _out, err in self.runs if code != 0]

    def trouble(self) -> list[str]:
        return [f"{args}: {text}" for args, _code, out, err in self.runs
                for text in (out, err) if TROUBLE.search(text)]


@dataclass
class AppProgress:
    """What the Pilot saw while switching modes."""

    switches: int = 0
    trouble: list[str] = field(default_factory=list)

    def done_enough(self) -> bool:
        return self.switches >= APP_MINIMUM_SWITCHES


def _cli(env: dict[str, str], *args: str) -> tuple[list[str], int, str, str]:
    try:
        done = subprocess.run([sys.executable, "-m", "tui.cli", *args], env=env, cwd=ROOT,
                              capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired as error:  # a hung command is a failure to report, not a dead thread
        return list(args), -1, "", f"timed out: {error}"
    return list(args), done.returncode, done.stdout, done.stderr


def _repeat(env: dict[str, str], loop: Loop, stop: threading.Event, commands) -> None:
    """Run the commands of `commands(round)` one after the other until `stop`, once it has done enough."""
    number = 0
    while True:
        for args in commands(number):
            if stop.is_set() and loop.done_enough():
                return
            loop.runs.append(_cli(env, *args))
        number += 1


def _operator_round(body_file: Path):
    def commands(number: int) -> list[list[str]]:
        invitee, applicant = f"op{2 * number:04d}", f"op{2 * number + 1:04d}"
        assert 2 * number + 1 < PEOPLE, "the operator ran out of people"
        body_file.write_text(f"Hi {{{{ firstName or handle }}}}, round {number}.\n")
        return [["invite", "Spring", invitee],
                ["apply", "Spring", applicant],
                ["decide", "--yes", "Spring", applicant, "shortlist" if number % 2 else "decline"],
                ["template", "set", "Spring", "welcome", "--lang", "en", "--subject",
                 f"Welcome {number}", "--body-file", str(body_file)],
                ["note", invitee, f"Invited in round {number}."]]
    return commands


def _reader(name: str):
    args = {"status": ["status", "Spring", "--json"], "inbox": ["inbox", "--json"],
            "influencers": ["influencers", "--limit", "100"]}[name]
    return lambda _number: [args]


async def _drive_app(store: Store, stop: threading.Event, progress: AppProgress) -> None:
    """Switch modes 1-4 (each switch reloads the pane from the file) until `stop`, once it has done enough."""
    app = make_app(store)
    async with app.run_test(size=(120, 36)) as pilot:
        while not (stop.is_set() and progress.done_enough()):
            await pilot.press(MODES[progress.switches % len(MODES)])
            await pilot.pause(0.1)
            progress.switches += 1
            screen = app.export_screenshot()
            notes = " ".join(str(n.message) for n in app._notifications)
            progress.trouble += [text for text in (screen, notes, app.sub_title) if TROUBLE.search(text)]
        # The dispatcher's worker runs until the app closes: look at errors, do not wait for it.
        # A page load replaced by a newer one is cancelled by design, not a failure.
        progress.trouble += [f"worker {w.name}: {w.error!r}" for w in app.workers
                             if w.state is WorkerState.ERROR]


def _seed(db_path: Path) -> None:
    store = Store(db_path, Clock.fixed(NOW), actor="tester")
    campaign = make_campaign(store, "Spring", sender="team@brand.example")
    queue(store, MESSAGES, campaign_id=campaign.id, uniform=True)
    prebuild_quickly(store, DispatchSettings())
    now = store.now_iso()
    with store.write() as db:
        db.conn.executemany(
            """INSERT INTO influencers (handle, name, first_name, email, followers, language, created_at,
                                        updated_at) VALUES (?, ?, ?, ?, 20000, 'en', ?, ?)""",
            [(f"op{n:04d}", f"Op {n}", "Op", f"op{n:04d}@example.com", now, now) for n in range(PEOPLE)])
    store.close()


def _stop_when_done(stop: threading.Event, sink: SinkProcess, parts: list) -> None:
    """End the load after LOAD_SECONDS, once the seeded mail is out and every part did its minimum."""
    started = time.monotonic()
    while time.monotonic() - started < HARD_LIMIT_SECONDS:
        if (time.monotonic() - started >= LOAD_SECONDS and sink.count() >= MESSAGES
                and all(part.done_enough() for part in parts)):
            break
        time.sleep(0.1)
    stop.set()


def test_the_scan_sees_sqlites_lock_errors() -> None:
    for text in ("sqlite3.OperationalError: database is locked", "database table is locked",
                 "Error: The database is busy."):
        assert TROUBLE.search(text)
    assert not TROUBLE.search('{"sent": 921, "deferred": 0, "failed": 0}')


def test_two_writers_readers_and_the_app_never_lock(db_path, tmp_path, monkeypatch) -> None:
    _seed(db_path)
    sink = SinkProcess(tmp_path)
    try:
        _under_load(db_path, tmp_path, monkeypatch, sink)
    finally:
        sink.stop()


def _under_load(db_path: Path, tmp_path: Path, monkeypatch, sink: SinkProcess) -> None:
    smtp_url = f"smtp://127.0.0.1:{sink.port}?tls=none"
    env = {**os.environ, "CALLSHEET_DB": str(db_path), "CALLSHEET_NOW": NOW, "CALLSHEET_USER": "tester",
           "CALLSHEET_SMTP_URL": smtp_url}
    monkeypatch.setenv("CALLSHEET_SMTP_URL", smtp_url)  # the app's own dispatcher is a third sender
    daemon_log, daemon_err = tmp_path / "daemon.out", tmp_path / "daemon.err"
    with open(daemon_log, "w") as out, open(daemon_err, "w") as err:
        daemon = subprocess.Popen([sys.executable, "-m", "tui.cli", "run", "--interval", "0.2"],
                                  env=env, cwd=ROOT, stdout=out, stderr=err)
    stop = threading.Event()
    loops = {"dispatch": Loop("dispatch", minimum=1), "operator": Loop("operator", minimum=5),
             **{name: Loop(name) for name in ("status", "inbox", "influencers")}}
    roles = {"dispatch": lambda _n: [["dispatch", "--until-empty", "--json"]],
             "operator": _operator_round(tmp_path / "welcome.txt"),
             **{name: _reader(name) for name in ("status", "inbox", "influencers")}}
    threads = [threading.Thread(target=_repeat, args=(env, loops[name], stop, roles[name]), daemon=True)
               for name in loops]
    app = AppProgress()
    threads.append(threading.Thread(target=_stop_when_done, args=(stop, sink, [*loops.values(), app]),
                                    daemon=True))
    for thread in threads:
        thread.start()
    app_store = Store(db_path, Clock.fixed(NOW), actor="tester")
    try:
        asyncio.run(_drive_app(app_store, stop, app))
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=120)
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(timeout=30)
        app_store.close()
    sent_under_load = sink.count()
    # What the operator's last applications queued may still wait: one more plain dispatch sends it.
    final = Loop("final", minimum=1)
    final.runs.append(_cli(env, "dispatch", "--until-empty", "--json"))
    log = daemon_log.read_text() + daemon_err.read_text()
    _check(db_path, sink, env, loops | {"final": final}, daemon, log, app, sent_under_load)


def _check(db_path: Path, sink: SinkProcess, env: dict[str, str], loops: dict[str, Loop],
           daemon: subprocess.Popen, daemon_log: str, app: AppProgress, sent_under_load: int) -> None:
    print(f"\nR6 commands run: { {name: len(loop.runs) for name, loop in loops.items()} }, "
          f"app mode switches: {app.switches}, sent during the load: {sent_under_load}, "
          f"by sender: {_senders(loops, daemon_log, sent_under_load)}")
    assert [line for line in daemon_log.splitlines() if TROUBLE.search(line)] == [], daemon_log
    assert daemon.returncode == 0, daemon_log
    assert app.trouble == [], app.trouble[:3]
    for loop in loops.values():
        assert loop.failures() == [], (loop.name, loop.failures()[:3])
        assert loop.trouble() == [], (loop.name, loop.trouble()[:3])
        assert loop.done_enough(), loop.name
    assert app.done_enough()
    assert sent_under_load >= MESSAGES, "the seeded mail was not sent while the load ran"
    operator = _tally(loops["operator"])
    _check_mail(db_path, sink, operator)
    _check_counters(db_path, env, operator)


def _senders(loops: dict[str, Loop], daemon_log: str, total: int) -> dict[str, int]:
    """Who sent how much during the load (for the report; which sender wins a row is up to timing)."""
    cli = sum(json.loads(out)["sent"] for _args, code, out, _err in loops["dispatch"].runs if code == 0)
    daemon = sum(int(n) for n in re.findall(r"dispatch: (\d+) sent", daemon_log))
    return {"callsheet run": daemon, "dispatch loop": cli, "app": total - daemon - cli}


def _tally(loop: Loop) -> dict[str, int]:
    verbs = Counter(args[0] for args, *_ in loop.runs)
    decisions = Counter(args[-1] for args, *_ in loop.runs if args[0] == "decide")
    return {"invited": verbs["invite"], "applied": verbs["apply"], "shortlisted": decisions["shortlist"],
            "declined": decisions["decline"], "notes": verbs["note"]}


def _check_mail(db_path: Path, sink: SinkProcess, operator: dict[str, int]) -> None:
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute("SELECT message_id, status, attempts, kind FROM messages "
                            "WHERE direction = 'out'").fetchall()
        reclaims = conn.execute(
            "SELECT count(*) FROM audit_events WHERE action = 'outbox.reclaim'").fetchone()[0]
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
    assert integrity == "ok"
    by_status = Counter(status for _mid, status, _a, _k in rows)
    # Invitations wait, planned, for the moderation queue; everything else went out.
    assert by_status == {"sent": MESSAGES + operator["applied"], "planned": operator["invited"]}, by_status
    sent = {mid for mid, status, _a, _k in rows if status == "sent"}
    copies = Counter(sink.accepted())
    assert [mid for mid, n in copies.items() if n > 1] == [], "a message reached the sink twice"
    assert set(copies) == sent, "the sink and the outbox disagree on what was sent"
    # Each row was claimed by exactly one dispatcher, exactly once, and nothing was taken back.
    assert {attempts for _mid, status, attempts, _k in rows if status == "sent"} == {1}
    assert reclaims == 0


def _check_counters(db_path: Path, env: dict[str, str], operator: dict[str, int]) -> None:
    args, code, out, err = _cli(env, "status", "Spring", "--json")
    assert code == 0, err
    shown = json.loads(out)
    with sqlite3.connect(db_path) as conn:
        stages = dict(conn.execute("SELECT stage, count(*) FROM applications GROUP BY stage").fetchall())
        sources = dict(conn.execute("SELECT source, count(*) FROM applications GROUP BY source").fetchall())
        notes = conn.execute("SELECT count(*) FROM notes").fetchone()[0]
    assert shown["invited"] == sources.get("invited", 0) == operator["invited"]
    assert shown["applicants"] == sources.get("applied", 0) == operator["applied"]
    assert shown["all_candidates"] == sum(stages.values()) == operator["invited"] + operator["applied"]
    undecided = operator["applied"] - operator["shortlisted"] - operator["declined"]
    assert shown["new_applicants"] == stages.get("to review", 0) == undecided
    assert stages.get("shortlisted", 0) == operator["shortlisted"]
    assert stages.get("declined", 0) == operator["declined"]
    assert notes == operator["notes"]
