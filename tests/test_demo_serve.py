"""The demo serves the casting-call pages beside its mail catcher, on a free loopback port.

Driven the way `callsheet demo` starts them (`casting_pages`, `running`), against a demo
workspace on a real SQLite file, with a real HTTP client against the real uvicorn thread.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest

from mailer.config import ENV_PUBLIC_URL, current_public_url, load_dispatch_settings
from mailer.templating.context import personal_links
from store import stages
from store.clock import Clock
from store.db import Store
from tests.cli_helpers import run, run_json
from tests.pipeline_helpers import stage_of
from tui.commands.demo import casting_pages, ssh_hint

CONFIGURED = "https://casting.example.com"  # a public_url the user set: the demo's own wins in its process


class _Form(HTMLParser):
    """The page's form as a browser would send it: its action and every field with its value."""

    def __init__(self) -> None:
        super().__init__()
        self.action = ""
        self.fields: dict[str, str] = {}
        self.checkboxes: dict[str, list[str]] = {}
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.action = attr.get("action", "")
        elif tag == "input" and attr.get("type") == "checkbox":
            self.checkboxes.setdefault(attr["name"], []).append(attr.get("value", "on"))
        elif tag == "input" and "name" in attr:
            self.fields[attr["name"]] = attr.get("value", "")
        elif tag == "textarea":
            self._textarea = attr["name"]
            self.fields[attr["name"]] = ""

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None


def apply_in_browser(page_url: str, handle: str) -> httpx.Response:
    """GET the casting page, fill in its form (keeping every field it holds, hidden ones too), POST it."""
    with httpx.Client(timeout=30) as client:
        page = client.get(page_url)
        assert page.status_code == 200, page.text
        form = _Form()
        form.feed(page.text)
        assert {"handle", "email", "followers"} <= form.fields.keys()
        fields = {**form.fields, "handle": handle, "name": "Demo Visitor", "email": f"{handle}@example.com",
                  "followers": "250,000", "engagement_rate": "6.5", "country": "FR", "language": "fr",
                  "message": "Seen the demo page"}
        body = list(fields.items()) + [(name, values[0]) for name, values in form.checkboxes.items()]
        return client.post(httpx.URL(page_url).join(form.action or page_url), data=dict(body),
                           follow_redirects=True)


def _tokens(path: Path) -> dict[str, str]:
    store = Store(path, Clock.from_env())
    try:
        return dict(store.reader().execute("SELECT name, apply_token FROM campaigns").fetchall())
    finally:
        store.close()


def _is_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _web_threads() -> list[str]:
    return [thread.name for thread in threading.enumerate() if thread.name == "callsheet-web"]


@pytest.fixture
def demo_path(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv(ENV_PUBLIC_URL, CONFIGURED)
    monkeypatch.setenv("CALLSHEET_SMTP_URL", "smtp://mail.example.com:587")
    monkeypatch.delenv("SSH_CONNECTION", raising=False)
    made = run(db_path, "demo", "--no-open")
    assert made.exit_code == 0, made.output
    assert "Casting page" not in made.output  # --no-open serves nothing
    yield db_path


def test_the_demo_prints_each_casting_page_serves_it_and_an_application_lands(demo_path: Path) -> None:
    before = run_json(demo_path, "status", "Winter Capsule 25")
    lines: list[str] = []
    with casting_pages(demo_path, Clock.from_env(), lines.append) as server:
        assert server is not None and server.alive
        address = f"http://127.0.0.1:{server.port}"
        assert server.address == address and os.environ[ENV_PUBLIC_URL] == address
        tokens = _tokens(demo_path)
        assert lines[0] == f"Serving the casting-call pages on {address}."  # not its address twice
        assert lines[1:4] == [f"Casting page for {name}: {address}/c/{tokens[name]}"
                              for name in ("Winter Capsule 25", "Trail Running Summer", "Glow Serum Launch")]
        assert lines[4] == (f"From another computer, forward the port over SSH first: ssh -L {server.port}:"
                            f"127.0.0.1:{server.port} HOST (then open the same addresses in its browser).")
        assert len(lines) == 5
        page_url = lines[1].split(": ", 1)[1]
        answer = apply_in_browser(page_url, "browser_visitor")
        assert answer.status_code == 200 and "@browser_visitor" in answer.text
        store = Store(demo_path, Clock.from_env())
        assert stage_of(store, "Winter Capsule 25", "browser_visitor") == stages.TO_REVIEW
        actor = store.reader().execute("SELECT actor FROM audit_events WHERE actor LIKE 'influencer:%' "
                                       "ORDER BY id DESC LIMIT 1").fetchone()[0]
        assert actor == "influencer:@browser_visitor"
        store.close()
        port = server.port
        assert not _is_free(port)
    assert not server.alive and _web_threads() == []
    assert _is_free(port)
    assert os.environ[ENV_PUBLIC_URL] == CONFIGURED  # the demo's address was for its process only
    after = run_json(demo_path, "status", "Winter Capsule 25")
    assert (after["new_applicants"], after["applicants"]) == (before["new_applicants"] + 1,
                                                              before["applicants"] + 1)


def test_links_in_the_demos_mail_point_at_its_server(demo_path: Path) -> None:
    with casting_pages(demo_path, Clock.from_env(), lambda _line: None) as server:
        assert server is not None
        links = personal_links("hello@ardent.example", "Winter Capsule 25", token="TOKEN")
        assert links["answer"] == f"{server.address}/a/TOKEN"
        assert links["unsubscribe"] == f"{server.address}/u/TOKEN"
        assert current_public_url() == server.address
        assert load_dispatch_settings().public_url == server.address  # the List-Unsubscribe header's
        missing = httpx.get(f"{server.address}/a/{'0' * 32}", timeout=30)
        assert missing.status_code == 404 and "Traceback" not in missing.text
    assert current_public_url() == CONFIGURED


def test_a_port_that_cannot_be_bound_is_one_sentence_and_the_demo_goes_on(demo_path: Path) -> None:
    lines: list[str] = []
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        with casting_pages(demo_path, Clock.from_env(), lines.append, port=port) as server:
            assert server is None
            assert os.environ[ENV_PUBLIC_URL] == CONFIGURED  # no page to link to: links as before
        assert len(lines) == 1
        assert lines[0].startswith(f"Cannot listen on 127.0.0.1:{port}: ")
        assert lines[0].endswith(", so the demo opens without its casting pages.")
    assert _web_threads() == []


@pytest.mark.parametrize(("arrived", "host"), [
    ("203.0.113.9 50022 198.51.100.4 22", "ana@198.51.100.4"),
    ("203.0.113.9 50022 198.51.100.4 2222", "-p 2222 ana@198.51.100.4"),
    ("", "HOST"),
])
def test_the_ssh_line_names_the_address_this_session_came_in_on(arrived: str, host: str) -> None:
    environ = {"USER": "ana", "SSH_CONNECTION": arrived}
    assert f"ssh -L 8123:127.0.0.1:8123 {host} (" in ssh_hint(8123, environ)
