"""The casting-call page in a real browser: Playwright driving Debian's Chromium against
`callsheet serve` started as a subprocess, then the application seen by `callsheet pipeline`.

It also takes the casting page's screenshots at desktop and phone widths: into docs/ with
CALLSHEET_SCREENSHOTS=1, else into the test's own folder."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from store.db import Store
from tests.cli_helpers import run_json
from tests.pipeline_helpers import make_campaign

CHROMIUM = "/usr/bin/chromium"
DOCS = Path(__file__).resolve().parents[1] / "docs"
CONNECT_ATTEMPTS = 200


def _wait_for_port(port: int, process: subprocess.Popen) -> None:
    """Poll until the server accepts a connection (bounded by attempts, not by a clock)."""
    for _ in range(CONNECT_ATTEMPTS):
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=0.1)
    raise AssertionError(f"callsheet serve never accepted connections on port {port}")


@pytest.fixture
def served(store: Store, db_path: Path) -> Iterator[tuple[str, subprocess.Popen]]:
    campaign = make_campaign(store, brief="Film three reels in <b>spring</b> light.", min_followers=1000,
                             languages=["en", "fr"])
    store.close()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "tui.cli", "--db", str(db_path), "serve", "--port", "0"]
    process = subprocess.Popen(command,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith("Serving the casting-call pages on http://127.0.0.1:"), (
            first + (process.stderr.read() if process.stderr else ""))
        address = first.split(" on ")[1].split(";")[0].split(" ")[0]
        _wait_for_port(int(address.rsplit(":", 1)[1]), process)
        yield f"{address}/c/{campaign.apply_token}", process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)


def test_apply_in_a_browser_and_see_it_in_the_pipeline(served: tuple[str, subprocess.Popen],
                                                       db_path: Path, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    url, process = served
    shots = DOCS if os.environ.get("CALLSHEET_SCREENSHOTS") == "1" else tmp_path
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(locale="fr-FR", extra_http_headers={"Accept-Language": "fr"})
            console: list[str] = []
            page.on("console", lambda message: console.append(message.text))
            page.goto(url)
            # The stylesheet is allowed by its hash in the CSP: applied, and no violation reported.
            assert page.locator("label[for=handle]").evaluate("e => getComputedStyle(e).display") == "block"
            assert page.locator("#website").evaluate("e => e.getBoundingClientRect().right") <= 0  # honeypot
            assert page.locator("h1").inner_text() == "Spring"
            assert "<b>spring</b>" in page.locator(".brief").inner_text()  # shown as text
            assert page.locator("h2#apply").inner_text() == "Candidater"
            page.get_by_role("link", name="English").click()
            assert page.locator("h2#apply").inner_text() == "Apply"
            for width, height, name in ((1280, 900, "desktop"), (390, 844, "phone")):
                page.set_viewport_size({"width": width, "height": height})
                page.screenshot(path=str(shots / f"casting-page-{name}.png"), full_page=True)
                assert (shots / f"casting-page-{name}.png").stat().st_size > 0
                # Nothing wider than the screen: a phone reads the form without scrolling sideways.
                assert page.evaluate("document.documentElement.scrollWidth") <= width
            page.fill("#handle", "browser_ana")
            page.fill("#name", "Ana Browser")
            page.fill("#email", "ana@browser.example")
            page.check("input[name=platform][value=instagram]")
            page.check("input[name=platform][value=tiktok]")
            page.fill("#followers", "25k")
            page.fill("#engagement_rate", "4.2")
            page.fill("#country", "es")
            page.fill("#fee", "450")
            page.fill("#message", "Hola!")
            page.get_by_role("button", name="Send my application").click()
            page.wait_for_selector("h2.result")
            assert page.locator("h2.result").inner_text() == "Application received"
            assert "@browser_ana" in page.locator("p").last.inner_text()
            assert not [text for text in console if "Content Security Policy" in text], console
        finally:
            browser.close()
    rows = run_json(db_path, "pipeline", "Spring")
    assert [(r["handle"], r["stage"], r["source"], r["followers"], r["fee"]) for r in rows] == [
        ("browser_ana", "to review", "applied", 25_000, 450.0)]
    person = run_json(db_path, "influencer", "show", "browser_ana")
    assert person["platforms"] == ["instagram", "tiktok"] and person["country"] == "ES"
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0
    assert process.stdout is not None and "stopped" in process.stdout.read()


def test_run_serve_plans_and_serves_in_one_process_and_stops_on_sigterm(store: Store, db_path: Path) -> None:
    import urllib.request

    campaign = make_campaign(store, brief="One daemon for everything.")
    store.close()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen([sys.executable, "-m", "tui.cli", "--db", str(db_path), "run", "--serve",
                                "--port", "0", "--interval", "0.2"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith("Serving the casting-call pages on http://127.0.0.1:"), first
        address = first.split(" on ")[1].split(";")[0].split(" ")[0]
        _wait_for_port(int(address.rsplit(":", 1)[1]), process)
        with urllib.request.urlopen(f"{address}/c/{campaign.apply_token}") as response:
            assert response.status == 200 and "One daemon for everything." in response.read().decode()
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=30)
    assert code == 0, process.stderr.read() if process.stderr else ""


def test_a_failing_page_shows_one_sentence_and_its_traceback_goes_to_errors_log(
        served: tuple[str, subprocess.Popen], db_path: Path, tmp_path: Path) -> None:
    import sqlite3
    import urllib.error
    import urllib.request

    from tui.context import log_dir

    url, _process = served
    with contextlib.closing(sqlite3.connect(db_path)) as broken:  # a page's table gone under the server
        broken.execute("PRAGMA foreign_keys = OFF")
        broken.execute("ALTER TABLE campaigns RENAME TO campaigns_gone")
        broken.commit()
    with pytest.raises(urllib.error.HTTPError) as failed:
        urllib.request.urlopen(url, timeout=30)
    page = failed.value.read().decode()
    assert failed.value.code == 500
    assert "Traceback" not in page and "campaigns" not in page and "sqlite" not in page.lower()
    logged = (log_dir() / "errors.log").read_text()
    assert "callsheet.web: GET /c/" in logged and "Traceback" in logged and "no such table" in logged
