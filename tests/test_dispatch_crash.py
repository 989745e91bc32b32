"""R1: kill -9 `callsheet dispatch` mid-batch; a plain restart loses nothing and doubles at most K."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from mailer.config import DispatchSettings
from tests.dispatch_helpers import SinkProcess, add_campaign, prebuild_quickly, queue

ROOT = Path(__file__).parent.parent
K = 8


@pytest.fixture(params=[True, False], ids=["pipelined", "lockstep"])
def sink(tmp_path: Path, request):
    running = SinkProcess(tmp_path, pipelining=request.param)
    yield running
    running.stop()


def _configure(tmp_path: Path) -> None:
    folder = tmp_path / "xdg-config" / "callsheet"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.toml").write_text(f"[smtp]\nconnections = {K}\ntimeout = 10\n")


def _dispatch(db_path: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "CALLSHEET_DB": str(db_path),
           "CALLSHEET_SMTP_URL": f"smtp://127.0.0.1:{port}?tls=none"}
    return subprocess.Popen([sys.executable, "-m", "tui.cli", "dispatch", "--until-empty", "--json"],
                            env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_until(predicate, limit: float = 30.0) -> None:
    deadline = time.monotonic() + limit
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.002)


def _sending(db_path: Path) -> set[str]:
    with sqlite3.connect(db_path) as conn:
        return {row[0] for row in conn.execute("SELECT message_id FROM messages WHERE status = 'sending'")}


def _crash_and_resume(store, db_path: Path, sink: SinkProcess, tmp_path: Path, count: int, kill_when) -> dict:
    _configure(tmp_path)
    cid = add_campaign(store)
    queue(store, count, campaign_id=cid, uniform=True)
    prebuild_quickly(store, DispatchSettings())
    store.close()
    first = _dispatch(db_path, sink.port)
    kill_when(first)
    first.send_signal(signal.SIGKILL)
    first.wait()
    in_flight = _sending(db_path)  # the snapshot right after the kill
    sink.delay_file.unlink(missing_ok=True)
    second = _dispatch(db_path, sink.port)
    out, err = second.communicate(timeout=60)
    assert second.returncode == 0, err
    return _verdict(db_path, sink, count, in_flight)


def _verdict(db_path: Path, sink: SinkProcess, count: int, in_flight: set[str]) -> dict:
    _wait_until(lambda: sink.count() >= count)
    copies = Counter(sink.accepted())
    with sqlite3.connect(db_path) as conn:
        rows = {mid: (status, attempts) for mid, status, attempts in
                conn.execute("SELECT message_id, status, attempts FROM messages")}
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
    duplicated = {mid: n for mid, n in copies.items() if n > 1}
    verdict = {"messages": count, "lost": sum(1 for mid in rows if mid not in copies),
               "extra_copies": sum(n - 1 for n in duplicated.values()), "in_flight_at_kill": len(in_flight)}
    print(f"\nR1 {verdict}")
    assert integrity == "ok"
    assert set(copies) <= set(rows), "the sink got a Message-ID the outbox never had"
    assert all(status == "sent" for status, _ in rows.values())
    assert verdict["lost"] == 0
    assert verdict["extra_copies"] <= K
    assert set(duplicated) <= in_flight, "only messages in flight at the kill may be doubled"
    assert all(n == 2 and rows[mid][1] <= 2 for mid, n in duplicated.items())
    return verdict


def test_kill_mid_batch(store, db_path, sink, tmp_path) -> None:
    count = 2000
    target = int(count * random.uniform(0.1, 0.6))

    def at_target(process: subprocess.Popen) -> None:
        _wait_until(lambda: sink.count() >= target or process.poll() is not None)
        assert process.poll() is None, "the dispatcher finished before the kill"

    _crash_and_resume(store, db_path, sink, tmp_path, count, at_target)


def test_kill_while_the_sink_holds_data(store, db_path, sink, tmp_path) -> None:
    """Every connection waits inside DATA (the sink delays it) when the kill lands."""
    count = 300

    def during_data(process: subprocess.Popen) -> None:
        _wait_until(lambda: sink.count() >= count // 4)
        sink.delay_file.touch()
        time.sleep(0.5)  # every connection is now inside a delayed DATA

    verdict = _crash_and_resume(store, db_path, sink, tmp_path, count, during_data)
    assert verdict["in_flight_at_kill"] >= K


def test_kill_while_connecting(store, db_path, sink, tmp_path) -> None:
    count = 300

    def at_first_claim(process: subprocess.Popen) -> None:
        _wait_until(lambda: _sending(db_path) or process.poll() is not None)

    _crash_and_resume(store, db_path, sink, tmp_path, count, at_first_claim)
