"""The pages on the open internet (issue 14): form tokens, field and body limits, a rate limit,
a honeypot and strict headers. Each bad request is one sentence and changes nothing.

In-process (Starlette's TestClient) over a real SQLite store opened as `callsheet-web`; the
clock is the store's (pinned), so tokens expire and the rate window passes by moving it.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
import warnings
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from starlette.requests import Request

from mailer.actions import pipeline, templates
from mailer.web import guard
from mailer.web.server import web_store
from store.clock import Clock
from store.db import Store
from store.outbox.tokens import message_token
from tests.pipeline_helpers import add_influencer, make_campaign
from tests.web_helpers import csrf_of, submit

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette suggests httpx2; httpx is what the lock has
    from starlette.testclient import TestClient

EXPIRED = "This form has expired; reload the page and try again."
EXPIRED_FR = "Ce formulaire a expiré ; rechargez la page et réessayez."
TOO_MANY = "Too many submissions from your address; please wait ten minutes and try again."
PUBLIC = "https://casting.example.com"
Forms = dict[str, tuple[str, dict[str, str]]]


@pytest.fixture(autouse=True)
def _public_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CALLSHEET_PUBLIC_URL", PUBLIC)


@pytest.fixture
def spring(store: Store) -> Store:
    make_campaign(store, languages=["en", "fr"], moderation=False, requires_agreement=True,
                  agreement_days=3, closes="2026-12-31")
    make_campaign(store, "Autumn", closes="2026-12-31")
    templates.save_template(store, "Spring", "invitation", "en", "Join", "Answer: {{ links.answer }}")
    templates.save_template(store, "Spring", "agreement", "en", "Sign", "Sign: {{ links.agreement }}")
    add_influencer(store, "ana", email="ana@mail.example")
    add_influencer(store, "bob", email="bob@mail.example")
    return store


def _client(db_path: Path, clock: Clock, **options: Any) -> Iterator[TestClient]:
    from mailer.web.app import create_app

    opened = web_store(db_path, clock)
    options.setdefault("base_url", "https://testserver")  # behind https the cookie is Secure
    with TestClient(create_app(opened), **options) as client:
        yield client
    opened.close()


@pytest.fixture
def web(db_path: Path, clock: Clock, spring: Store) -> Iterator[TestClient]:
    yield from _client(db_path, clock)


def snapshot(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (the form secret aside, made once when the pages start)."""
    db = store.writer
    tables = [row[0] for row in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND name != 'settings'")]
    return {table: [tuple(row) for row in db.execute(f"SELECT * FROM {table}")] for table in tables}


def casting_path(store: Store, name: str = "Spring") -> str:
    row = store.writer.execute("SELECT apply_token FROM campaigns WHERE name = ?", [name]).fetchone()
    return f"/c/{row[0]}"


def application(**fields: str) -> dict[str, str]:
    return {"handle": "newbie", "name": "New Bie", "email": "newbie@example.com", "followers": "12000",
            "engagement_rate": "3.5", "country": "FR", "message": "Hello", **fields}


def message_path(store: Store, prefix: str, handle: str, kind: str) -> str:
    row = store.writer.execute(
        """SELECT m.message_id FROM messages m JOIN influencers i ON i.id = m.influencer_id
           WHERE i.handle = ? AND m.kind = ? ORDER BY m.id DESC LIMIT 1""", (handle, kind)).fetchone()
    return f"{prefix}{message_token(row[0])}"


@pytest.fixture
def forms(spring: Store) -> dict[str, tuple[str, dict[str, str]]]:
    """Each form of the pages: its path and a body that would act."""
    pipeline.invite(spring, "Spring", ["ana", "bob"])
    pipeline.apply(spring, "Spring", "bob", fee=400)
    pipeline.decide(spring, "Spring", ["bob"], "send-agreement")
    return {"casting": (casting_path(spring), application()),
            "answer": (message_path(spring, "/a/", "ana", "invitation"), {"answer": "yes"}),
            "agreement": (message_path(spring, "/g/", "bob", "agreement"), {"decision": "sign"}),
            "unsubscribe": (message_path(spring, "/u/", "ana", "invitation"),
                            {"List-Unsubscribe": "One-Click"})}


def forged(token: str) -> str:
    issued, mac = token.split(".")
    return f"{issued}.{'0' if mac[0] != '0' else '1'}{mac[1:]}"


# -- form tokens ----------------------------------------------------------------------------


# A POST to /u/ with no token at all is RFC 8058's one-click, which must act (tested below).
BAD_TOKENS = [(name, bad) for name in ("casting", "answer", "agreement", "unsubscribe")
              for bad in ("missing", "forged", "expired", "other page", "other browser", "garbage")
              if (name, bad) != ("unsubscribe", "missing")]


@pytest.mark.parametrize(("name", "bad"), BAD_TOKENS)
def test_a_post_without_its_pages_token_is_403_and_changes_nothing(
        web: TestClient, spring: Store, clock: Clock, db_path: Path,
        forms: Forms, name: str, bad: str) -> None:
    path, body = forms[name]
    token = csrf_of(web.get(path))
    before = snapshot(spring)
    sent = {"missing": None, "forged": forged(token), "expired": token, "garbage": "12.<x>",
            "other page": csrf_of(web.get(forms["casting" if name != "casting" else "answer"][0])),
            "other browser": token}[bad]
    if bad == "expired":
        clock.advance(guard.TOKEN_LIFETIME + timedelta(seconds=1))
    client = web
    if bad == "other browser":
        client = next(_client(db_path, clock))  # its own cookie: the token was not issued to it
        csrf_of(client.get(path))
    data = body if sent is None else {**body, "csrf": sent}
    response = client.post(path, data=data)
    assert response.status_code == 403
    assert re.findall(r'<p class="message">(.*?)</p>', response.text) == [EXPIRED]
    assert snapshot(spring) == before


def test_the_sentence_speaks_the_pages_language(web: TestClient, spring: Store) -> None:
    path = casting_path(spring)
    before = snapshot(spring)
    response = web.post(path, data={**application(), "lang": "fr", "csrf": "1.2"})
    assert response.status_code == 403 and '<html lang="fr">' in response.text and EXPIRED_FR in response.text
    assert snapshot(spring) == before


def test_a_token_lasts_its_lifetime_and_a_valid_one_acts(web: TestClient, spring: Store, clock: Clock,
                                                         forms: Forms) -> None:
    for name, (path, body) in forms.items():
        token = csrf_of(web.get(path))
        clock.advance(guard.TOKEN_LIFETIME - timedelta(minutes=1))
        response = submit(web, path, body, token=token)
        assert response.status_code == 200, (name, response.text)
    row = spring.writer.execute("SELECT unsubscribed FROM influencers WHERE handle = 'ana'").fetchone()
    assert row[0] == 1


@pytest.mark.parametrize(("public_url", "secure"), [(None, False), (PUBLIC, True)])
def test_the_cookie_is_httponly_strict_and_secure_behind_https(
        db_path: Path, clock: Clock, spring: Store, monkeypatch: pytest.MonkeyPatch,
        public_url: str | None, secure: bool) -> None:
    if public_url is None:
        monkeypatch.delenv("CALLSHEET_PUBLIC_URL")
    for client in _client(db_path, clock):
        first = client.get(casting_path(spring))
        cookie = first.headers["set-cookie"]
        assert cookie.startswith(f"{guard.COOKIE}=") and "HttpOnly" in cookie
        assert "SameSite=strict" in cookie and ("Secure" in cookie) == secure
        assert "set-cookie" not in client.get(casting_path(spring)).headers  # kept, not renewed
        assert csrf_of(first) != csrf_of(client.get(casting_path(spring, "Autumn")))  # one per page


def test_one_click_unsubscribe_needs_no_token_nor_cookie(web: TestClient, spring: Store,
                                                         forms: Forms) -> None:
    path, _body = forms["unsubscribe"]
    assert not web.cookies
    response = web.post(path, content=b"List-Unsubscribe=One-Click",
                        headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 200 and "You are unsubscribed" in response.text
    row = spring.writer.execute("SELECT unsubscribed FROM influencers WHERE handle = 'ana'").fetchone()
    assert row[0] == 1


# -- sizes ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("field", "length", "label"), [
    ("handle", 101, "Handle"), ("name", 201, "Name"), ("email", 255, "Email"),
    ("message", 4001, "Message"), ("engagement_rate", 33, "Engagement rate (%)"), ("website", 501, "website"),
])
@pytest.mark.parametrize("multipart", [False, True])
def test_an_oversized_field_is_413_naming_it_and_records_nothing(
        web: TestClient, spring: Store, field: str, length: int, label: str, multipart: bool) -> None:
    path = casting_path(spring)
    token = csrf_of(web.get(path))
    before = snapshot(spring)
    body = {**application(), field: "é" * length, "csrf": token}
    if multipart:
        response = web.post(path, files={key: (None, value) for key, value in body.items()})
    else:
        response = web.post(path, data=body)
    assert response.status_code == 413
    sentences = re.findall(r'<p class="message">(.*?)</p>', response.text)
    limit = f"{length - 1:,}"
    assert sentences == [f"The field {label} is too long (at most {limit} characters); nothing was recorded."]
    assert snapshot(spring) == before


def test_a_field_at_its_limit_is_accepted(web: TestClient, spring: Store) -> None:
    response = submit(web, casting_path(spring), application(message="é" * 4000, name="n" * 200))
    assert response.status_code == 200 and "Application received" in response.text
    note = spring.writer.execute("SELECT body FROM notes").fetchone()[0]
    assert note == "[Spring] " + "é" * 4000  # kept whole, never cut short


@pytest.mark.parametrize("accept", ["en", "fr"])
def test_an_oversized_body_is_413_in_the_visitors_language(web: TestClient, spring: Store,
                                                             accept: str) -> None:
    path = casting_path(spring)
    token = csrf_of(web.get(path))
    before = snapshot(spring)
    response = web.post(path, data={**application(message="x" * 70_000), "csrf": token},
                        headers={"Accept-Language": accept})
    assert response.status_code == 413
    expected = {"en": "The form is too large; nothing was recorded.",
                "fr": "Le formulaire est trop volumineux ; rien n&#39;a été enregistré."}[accept]
    assert re.findall(r'<p class="message">(.*?)</p>', response.text) == [expected]
    assert "Traceback" not in response.text and "exceeded" not in response.text
    assert snapshot(spring) == before


def test_a_broken_multipart_body_is_one_sentence(web: TestClient, spring: Store) -> None:
    path = casting_path(spring)
    csrf_of(web.get(path))
    before = snapshot(spring)
    response = web.post(path, content=b"--b\r\nbroken",
                        headers={"Content-Type": "multipart/form-data; boundary=b"})
    assert response.status_code == 403  # read as an empty form: it carries no token
    assert re.findall(r'<p class="message">(.*?)</p>', response.text) == [EXPIRED]
    assert snapshot(spring) == before


# -- the rate limit -------------------------------------------------------------------------


def test_a_flood_is_429_then_allowed_again_after_the_window(web: TestClient, spring: Store, clock: Clock,
                                                            db_path: Path) -> None:
    path = casting_path(spring)
    token = csrf_of(web.get(path))
    for number in range(guard.RATE_LIMITS["form"]):
        response = submit(web, path, application(handle=f"flood{number}", email=f"f{number}@x.example"),
                          token=token)
        assert response.status_code == 200, response.text
    before = snapshot(spring)
    flooded = submit(web, path, application(handle="one_more", email="more@x.example"), token=token)
    assert flooded.status_code == 429 and flooded.headers["retry-after"] == "600"
    assert re.findall(r'<p class="message">(.*?)</p>', flooded.text) == [TOO_MANY]
    assert snapshot(spring) == before
    # Another address is not held back, the same one is for the whole window.
    for other in _client(db_path, clock, client=("203.0.113.9", 4000)):
        assert submit(other, path, application(handle="elsewhere", email="e@x.example")).status_code == 200
    clock.advance(guard.RATE_WINDOW - timedelta(seconds=1))
    assert submit(web, path, application(handle="one_more", email="more@x.example")).status_code == 429
    clock.advance(timedelta(seconds=1))
    again = submit(web, path, application(handle="one_more", email="more@x.example"))
    assert again.status_code == 200 and "@one_more" in again.text


def test_every_post_route_counts(web: TestClient, spring: Store,
                                 forms: Forms) -> None:
    path, _body = forms["answer"]
    token = csrf_of(web.get(path))
    statuses = [submit(web, path, {"answer": "maybe"}, token=token).status_code
                for _ in range(guard.RATE_LIMITS["form"] + 1)]
    assert statuses == [400] * guard.RATE_LIMITS["form"] + [429]
    assert submit(web, forms["agreement"][0], {"decision": "sign"}).status_code == 429
    # Unsubscribes have their own, larger allowance: providers post one-clicks from few addresses.
    one_click = web.post(forms["unsubscribe"][0], content=b"List-Unsubscribe=One-Click")
    assert one_click.status_code == 200


def test_a_flood_of_stale_links_is_counted_too(web: TestClient, spring: Store) -> None:
    statuses = [web.post(f"/a/{number:032x}", data={"answer": "yes"}).status_code
                for number in range(guard.RATE_LIMITS["form"] + 1)]
    assert statuses == [404] * guard.RATE_LIMITS["form"] + [429]
    french = web.post(casting_path(spring), data=application(), headers={"Accept-Language": "fr"})
    assert french.status_code == 429 and "Trop d&#39;envois depuis votre adresse" in french.text


def _request(address: str) -> Request:
    return Request({"type": "http", "method": "POST", "path": "/", "headers": [], "client": (address, 1)})


def test_the_limiter_forgets_old_and_surplus_addresses() -> None:
    clock = Clock.fixed("2026-11-23T10:00:00+00:00")
    limiter = guard.RateLimit(clock, {"form": 2}, addresses=3)
    for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5"):
        limiter.hit(_request(address))
    assert len(limiter) == 4  # the oldest beyond three go at the next hit, whatever their age
    limiter.hit(_request("10.0.0.5"))
    with pytest.raises(guard.Refused):
        limiter.hit(_request("10.0.0.5"))
    assert len(limiter) == 3
    clock.advance(guard.RATE_WINDOW)
    limiter.hit(_request("10.0.0.6"))
    assert len(limiter) == 1


# -- the honeypot ---------------------------------------------------------------------------


def test_the_honeypot_is_hidden_and_unreachable(web: TestClient, spring: Store) -> None:
    text = web.get(casting_path(spring)).text
    trap = re.search(r'<div class="hp" aria-hidden="true">(.*?)</div>', text)
    assert trap is not None
    assert 'name="website"' in trap.group(1) and 'autocomplete="off"' in trap.group(1)
    assert 'tabindex="-1"' in trap.group(1) and "<label" in trap.group(1)
    assert ".hp { position: absolute; left: -10000px;" in text


def test_a_filled_honeypot_thanks_and_records_nothing(web: TestClient, spring: Store,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    path = casting_path(spring)
    csrf_of(web.get(path))
    before = snapshot(spring)
    with caplog.at_level(logging.WARNING, logger="callsheet.web"):
        trapped = submit(web, path, application(website="https://spam.example"))
    assert snapshot(spring) == before
    lines = [r.getMessage() for r in caplog.records if "honeypot" in r.getMessage()]
    assert lines == [f"honeypot filled on {path} from testclient: nothing recorded"]
    real = submit(web, path, application(handle="realone", email="real@example.com"))
    assert trapped.status_code == real.status_code == 200
    heading = re.compile(r'<h2 class="result (\w+)">(.*?)</h2>')
    received = [("received", "Application received")]
    assert heading.findall(trapped.text) == heading.findall(real.text) == received
    assert "Thank you, @newbie: your application was received" in trapped.text
    handles = [row[0] for row in spring.writer.execute("SELECT handle FROM influencers ORDER BY id")]
    assert "newbie" not in handles and "realone" in handles


# -- headers --------------------------------------------------------------------------------


def test_every_response_has_the_strict_headers(web: TestClient, spring: Store,
                                               forms: Forms) -> None:
    page = web.get(forms["casting"][0])
    style = re.search(r"<style>(.*?)</style>", page.text, re.S)
    assert style is not None
    digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
    responses = [page, web.get("/nowhere"), web.get("/a/stale"), web.post(forms["answer"][0], data={}),
                 web.post(forms["casting"][0], data={"pad": "x" * 70_000}), web.delete(forms["casting"][0]),
                 web.get("/t/stale/1")]
    for response in responses:
        policy = response.headers["content-security-policy"]
        parts = {part.strip() for part in policy.split(";")}
        assert {"default-src 'none'", "frame-ancestors 'none'", "base-uri 'none'"} <= parts, response.url
        assert "unsafe-inline" not in policy and "script-src" not in policy
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
    assert {"form-action 'self'", f"style-src 'sha256-{digest}'"} <= {
        part.strip() for part in page.headers["content-security-policy"].split(";")}
    assert [r.status_code for r in responses] == [200, 404, 404, 403, 413, 404, 404]
    assert "<script" not in page.text
