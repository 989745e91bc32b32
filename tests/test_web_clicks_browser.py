"""A tracked link followed in a real browser: the invitation leaves through a real SMTP server,
Chromium (Playwright, Debian's build) opens the link from the mail against `callsheet serve`
run as a subprocess, lands on the target, and `clicked:yes` then matches the influencer."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from store.db import Store
from tests.cli_helpers import run, run_json
from tests.dispatch_helpers import ThreadedSink, free_port
from tests.pipeline_helpers import add_influencer, make_campaign
from tests.test_web_browser import CHROMIUM, _wait_for_port


class Lookbook(BaseHTTPRequestHandler):
    """The brand's page the link leads to, on loopback (the test reaches nothing else)."""

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        body = b"<html><head><title>Lookbook</title></head><body><h1>Spring lookbook</h1></body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def lookbook() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Lookbook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/lookbook?from=mail"
    server.shutdown()
    server.server_close()


@pytest.fixture
def mailed_link(store: Store, db_path: Path, tmp_path: Path, lookbook: str,
                monkeypatch: pytest.MonkeyPatch) -> tuple[str, int]:
    """The tracked link in ana's invitation as her mailbox got it, and the port serve must use."""
    port = free_port()
    monkeypatch.setenv("CALLSHEET_PUBLIC_URL", f"http://127.0.0.1:{port}")
    make_campaign(store, moderation=False)
    add_influencer(store, "ana")
    add_influencer(store, "bob")
    body = tmp_path / "invitation.txt"
    body.write_text(f'Hi {{{{ firstName }}}},\n\nOur lookbook: {{{{ track("{lookbook}") }}}}\n')
    assert run(db_path, "template", "set", "Spring", "invitation", "--lang", "en", "--subject", "Spring",
               "--body-file", str(body)).exit_code == 0
    assert run(db_path, "invite", "Spring", "ana", "bob").exit_code == 0
    with ThreadedSink() as sink:
        monkeypatch.setenv("CALLSHEET_SMTP_URL", f"smtp://127.0.0.1:{sink.port}?tls=none")
        assert run(db_path, "dispatch", "--until-empty").exit_code == 0
    mail = {item.rcpt_tos[0]: item.message.get_content() for item in sink.received}
    found = re.search(rf"http://127\.0\.0\.1:{port}/t/\S+", mail["ana@example.com"])
    assert found, mail
    return found.group(0), port


@pytest.fixture
def served(store: Store, db_path: Path, mailed_link: tuple[str, int]) -> Iterator[str]:
    link, port = mailed_link
    store.close()
    process = subprocess.Popen([sys.executable, "-m", "tui.cli", "--db", str(db_path), "serve",
                                "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        _wait_for_port(port, process)
        yield link
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0, process.stderr.read() if process.stderr else ""


def test_follow_a_tracked_link_in_a_browser_and_see_clicked_match(served: str, lookbook: str,
                                                                   db_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    assert [p["handle"] for p in run_json(db_path, "influencers", "clicked:yes")] == []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.goto(served)
            assert page.url == lookbook
            assert page.locator("h1").inner_text() == "Spring lookbook"
            page.goto(served.rsplit("/", 1)[0] + "/999")
            assert "This link leads nowhere" in page.locator("p.message").inner_text()
        finally:
            browser.close()
    assert [p["handle"] for p in run_json(db_path, "influencers", "clicked:yes")] == ["ana"]
    assert [p["handle"] for p in run_json(db_path, "influencers", "clicked:no")] == ["bob"]
    numbers = run_json(db_path, "status", "Spring")
    assert (numbers["clicks"], numbers["clickers"], numbers["tracked_recipients"]) == (1, 1, 2)
