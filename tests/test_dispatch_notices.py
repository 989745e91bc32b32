"""The running app raises a notification when a send fails and when the circuit breaker pauses a
campaign, against a real SMTP server (aiosmtpd, in its own process) that refuses every recipient."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from mailer.dispatch.progress import DispatchProgress
from tests.dispatch_helpers import add_campaign, queue, statuses, write_config
from tests.pilot_helpers import until_pausing
from tui.app import make_app
from tui.dispatch_notices import DispatchNotices

ROOT = Path(__file__).parent.parent
REFUSAL = "550 5.1.1 No such user here"



async def test_a_refused_send_and_the_breakers_pause_each_raise_a_notification(store, tmp_path,
                                                                               monkeypatch) -> None:
    sink = subprocess.Popen([sys.executable, "-m", "tests.sink_process", str(tmp_path / "sink.log"),
                             "--refuse", REFUSAL], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                            cwd=ROOT)
    try:
        port = int(sink.stdout.readline())
        monkeypatch.setenv("CALLSHEET_SMTP_URL", f"smtp://127.0.0.1:{port}?tls=none")
        write_config("[dispatch]\nbreaker_failures = 2\n")
        cid = add_campaign(store)
        queue(store, 4, campaign_id=cid)
        app = make_app(store)
        async with app.run_test(size=(120, 36)) as pilot:
            await until_pausing(pilot, lambda: any(n.title == "Campaign paused" for n in app._notifications))
            told = [(n.title, n.message, n.severity) for n in app._notifications]
    finally:
        sink.stdin.close()
        sink.wait(timeout=10)
    failures = [message for title, message, _ in told if title == "Sending"]
    assert failures and all(message.endswith("failed: the Outbox (4) shows the server's reply.")
                            for message in failures), told
    paused = [message for title, message, _ in told if title == "Campaign paused"]
    assert paused == [f"Paused after 2 failed messages in a row; the last: {REFUSAL} "
                      "(P in the Pipeline resumes it)."], told
    assert {severity for _, _, severity in told} == {"error"}
    # Sent in parallel: some may fail before the pause holds the rest.
    assert statuses(store).get("failed", 0) >= 2
    state = store.reader().execute("SELECT status FROM campaigns WHERE id = ?", [cid]).fetchone()[0]
    assert state == "paused"


def test_each_failure_and_pause_is_told_once() -> None:
    notices = DispatchNotices()

    def at(failed: int, paused: tuple[str, ...] = ()) -> DispatchProgress:
        return DispatchProgress(total=5, sent=0, deferred=0, failed=failed, skipped=0, paused=paused)

    assert notices.news(at(0)) == []
    assert notices.news(at(1)) == [("Sending", "1 message failed: the Outbox (4) shows the server's reply.")]
    assert notices.news(at(1)) == []
    assert notices.news(at(4, ("Paused after 3",))) == [
        ("Sending", "3 messages failed: the Outbox (4) shows the server's reply."),
        ("Campaign paused", "Paused after 3 (P in the Pipeline resumes it).")]
    assert notices.news(at(4, ("Paused after 3",))) == []
