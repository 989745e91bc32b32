"""The personal links in a real browser: mail caught by the test's SMTP server, its links followed
by Playwright driving Debian's Chromium against `callsheet serve` started as a subprocess.

It also takes the agreement page's screenshots at desktop and phone widths: into docs/ with
CALLSHEET_SCREENSHOTS=1 (the tokens in them differ each run), else into the test's own folder.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from mailer.actions import pipeline, templates
from mailer.dispatch.dispatcher import Dispatcher
from store.db import Store
from tests.cli_helpers import run_json
from tests.dispatch_helpers import Received, free_port, make_config, start_sink, stop_sink
from tests.pipeline_helpers import add_influencer, make_campaign
from tests.test_web_browser import CHROMIUM, _wait_for_port

DOCS = Path(__file__).parent.parent / "docs"
AGREEMENT = ("Terms of {{ campaign.name }}: three reels in spring light, fee {{ fee }} "
             "{{ campaign.currency }}, usage rights for 12 months.\n\n"
             "Sign before {{ agreementDeadline }}: {{ links.agreement }}")


async def _send(store: Store, public_url: str) -> list[Received]:
    sink = await start_sink()
    try:
        await Dispatcher(store, make_config(sink.port, public_url=public_url)).run_until_empty()
    finally:
        await stop_sink(sink)
    return sink.received


def _link(received: list[Received], to: str, prefix: str) -> str:
    """The one link to a page under `prefix` in the mail `to` received."""
    bodies = [item.message.get_content() for item in received if item.rcpt_tos == [to]]
    [found] = [link for body in bodies
               for link in re.findall(rf"http://127\.0\.0\.1:\d+{prefix}[0-9a-f]{{32}}", body)]
    return str(found)


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")
def test_answer_sign_and_unsubscribe_from_the_mail_in_a_browser(
        store: Store, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from playwright.sync_api import sync_playwright

    shots = DOCS if os.environ.get("CALLSHEET_SCREENSHOTS") == "1" else tmp_path
    port = free_port()
    public_url = f"http://127.0.0.1:{port}"
    monkeypatch.setenv("CALLSHEET_PUBLIC_URL", public_url)
    make_campaign(store, moderation=False, requires_agreement=True, timezone="Europe/Paris",
                  brief="Three reels in spring light.", program="Spring 2027")
    templates.save_template(store, "Spring", "agreement", "en", "Your agreement", AGREEMENT)
    add_influencer(store, "ana", email="ana@mail.example")
    add_influencer(store, "bo", email="bo@mail.example")
    pipeline.invite(store, "Spring", ["ana", "bo"])
    pipeline.apply(store, "Spring", "bo", fee=450)
    pipeline.decide(store, "Spring", ["bo"], "send-agreement")
    received = asyncio.run(_send(store, public_url))
    answer, agreement = _link(received, "ana@mail.example", "/a/"), _link(received, "bo@mail.example", "/g/")
    [to_ana] = [item for item in received if item.rcpt_tos == ["ana@mail.example"]]
    unsubscribe = str(to_ana.message["List-Unsubscribe"]).split(",")[0].strip().strip("<>")

    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "tui.cli", "--db", str(db_path), "serve", "--port", str(port)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        _wait_for_port(port, process)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            try:
                page = browser.new_page()
                page.goto(answer)
                assert page.locator("h1").inner_text() == "Spring"
                page.get_by_role("button", name="Yes, I am interested").click()
                page.wait_for_selector("h2.result")
                assert "your yes was recorded" in page.locator("p").last.inner_text()

                for width, height, name in ((1280, 900, "desktop"), (390, 844, "phone")):
                    page.set_viewport_size({"width": width, "height": height})
                    page.goto(agreement)
                    assert "usage rights for 12 months" in page.locator(".agreement").inner_text()
                    page.screenshot(path=str(shots / f"agreement-page-{name}.png"), full_page=True)
                assert "(2026-11-26 11:00 Europe/Paris)" in page.locator(".deadline").inner_text()
                page.get_by_role("button", name="I sign the agreement").click()
                page.wait_for_selector("h2.result")
                assert "your signature was recorded" in page.locator("p").last.inner_text()

                page.goto(unsubscribe)
                page.get_by_role("button", name="Unsubscribe me").click()
                page.wait_for_selector("h2.result")
                assert "You are unsubscribed" in page.locator("p").last.inner_text()
            finally:
                browser.close()
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    rows = {row["handle"]: row["stage"] for row in run_json(db_path, "pipeline", "Spring")}
    assert rows == {"ana": "to review", "bo": "signed"}
    assert run_json(db_path, "influencer", "show", "ana")["unsubscribed"] in (1, True)
    actors = {(event["actor"], event["action"]) for event in run_json(db_path, "audit")}
    assert {("influencer:@ana", "application.stage"), ("influencer:@bo", "application.stage"),
            ("influencer:@ana", "influencer.unsubscribe")} <= actors
