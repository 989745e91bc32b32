"""The casting-call page in-process (Starlette's TestClient) over a real SQLite store.

An application from the page is the one `callsheet apply` records, acted by the
`callsheet-web` identity and audited with the influencer as the actor.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from mailer.actions import campaigns as campaign_actions
from mailer.actions import casting
from mailer.web.server import web_store
from store.clock import Clock
from store.db import Store
from store.errors import Forbidden
from store.operators import WEB_LOGIN
from tests.cli_helpers import assert_user_error, run, run_json
from tests.pipeline_helpers import add_influencer, make_campaign, outbox, stage_of, table_counts
from tests.web_helpers import csrf_of, submit

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette suggests httpx2; httpx is what the lock has
    from starlette.testclient import TestClient

HOSTILE_BRIEF = "Shoot <script>alert('x')</script> & tag us"


@pytest.fixture
def spring(store: Store) -> Store:
    make_campaign(store, brief=HOSTILE_BRIEF, description="Spring looks", min_followers=1000,
                  min_engagement=2.0, languages=["en", "fr"], timezone="Europe/Paris", closes="2026-12-31")
    add_influencer(store, "known", email="known@example.com", followers=50_000)
    return store


@pytest.fixture
def web(db_path: Path, clock: Clock, spring: Store) -> Iterator[TestClient]:
    from mailer.web.app import create_app

    opened = web_store(db_path, clock)
    with TestClient(create_app(opened)) as client:
        yield client
    opened.close()


def token(store: Store, name: str = "Spring") -> str:
    row = store.writer.execute("SELECT apply_token FROM campaigns WHERE name = ?", [name]).fetchone()
    return str(row[0])


def page(store: Store, name: str = "Spring") -> str:
    return f"/c/{token(store, name)}"


def form(**fields: str) -> dict[str, str]:
    return {"handle": "newbie", "name": "New Bie", "email": "newbie@example.com", "followers": "12,500",
            "engagement_rate": "3.5", "country": "FR", "language": "fr", "fee": "300",
            "message": "I love <b>spring</b>", **fields}


def test_the_page_shows_the_brief_escaped_and_the_form(web: TestClient, spring: Store) -> None:
    response = web.get(page(spring))
    assert response.status_code == 200
    text = response.text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; tag us" in text
    assert "<script>" not in text
    assert "Spring looks" in text and "1,000" in text and "2 %" in text
    assert "2026-12-31 22:59 UTC (2026-12-31 23:59 Europe/Paris)" in text
    for field in ("handle", "name", "email", "platform", "followers", "engagement_rate", "country",
                  "language", "fee", "message"):
        assert f'name="{field}"' in text
    assert response.headers["content-security-policy"].startswith("default-src 'none'")


def test_an_eligible_application_is_to_review_with_the_acknowledgement(web: TestClient,
                                                                       spring: Store) -> None:
    response = submit(web, page(spring), form(), follow_redirects=False)
    assert response.status_code == 200
    assert "Application received" in response.text and "@newbie" in response.text
    assert stage_of(spring, "Spring", "newbie") == "to review"
    mail = outbox(spring, kind="acknowledgement")
    assert [(m["to_addr"], m["status"]) for m in mail] == [("newbie@example.com", "queued")]
    person = spring.writer.execute("SELECT followers, engagement_rate, country, email FROM influencers "
                                   "WHERE handle = 'newbie'").fetchone()
    assert tuple(person) == (12500, 3.5, "FR", "newbie@example.com")
    fee = spring.writer.execute("SELECT fee, source FROM applications").fetchone()
    assert tuple(fee) == (300.0, "applied")
    notes = [tuple(r) for r in spring.writer.execute("SELECT author, body FROM notes")]
    assert notes == [("influencer:@newbie", "[Spring] I love <b>spring</b>")]


def test_the_audit_names_the_influencer(web: TestClient, spring: Store, db_path: Path) -> None:
    submit(web, page(spring), form())
    actors = {(e["actor"], e["action"]) for e in run_json(db_path, "audit")}
    assert ("influencer:@newbie", "application.stage") in actors
    assert ("influencer:@newbie", "influencer.add") in actors
    assert not any(actor == WEB_LOGIN for actor, _action in actors)


def test_below_the_minimums_is_ineligible_with_no_mail(web: TestClient, spring: Store) -> None:
    response = submit(web, page(spring), form(followers="200"))
    assert response.status_code == 200
    assert "not eligible" in response.text
    assert stage_of(spring, "Spring", "newbie") == "ineligible"
    assert outbox(spring) == []


def test_a_closed_campaign_records_nothing_and_offers_no_form(web: TestClient, spring: Store,
                                                             db_path: Path) -> None:
    make_campaign(spring, "Winter", closes="2026-12-01")
    opened = csrf_of(web.get(page(spring, "Winter")))  # the form as it was shown while it was open
    campaign_actions.close(spring, "Winter")
    before = table_counts(spring)
    shown = web.get(page(spring, "Winter"))
    assert "This casting call is closed" in shown.text and "<form" not in shown.text
    response = web.post(page(spring, "Winter"), data={**form(), "csrf": opened})
    assert response.status_code == 409
    assert "This casting call is closed" in response.text and "<form" not in response.text
    assert table_counts(spring) == before
    newbies = spring.writer.execute("SELECT count(*) FROM influencers WHERE handle = 'newbie'").fetchone()[0]
    assert newbies == 0


def test_a_campaign_not_open_yet_says_when(web: TestClient, spring: Store) -> None:
    make_campaign(spring, "Summer", opens="2027-05-01")
    shown = web.get(page(spring, "Summer"))
    assert "This casting call is not open yet" in shown.text and "2027-05-01 00:00 UTC" in shown.text
    assert "<form" not in shown.text
    assert web.post(page(spring, "Summer"), data=form()).status_code == 403  # no form, no token
    assert stage_of(spring, "Summer", "newbie") is None


def test_a_known_handle_with_another_email_keeps_the_contact_and_is_flagged(
        web: TestClient, spring: Store, db_path: Path) -> None:
    response = submit(web, page(spring), form(handle="@Known", email="someone@else.example", followers="10"))
    assert "Application received" in response.text
    stored = spring.writer.execute(
        "SELECT email, followers FROM influencers WHERE handle = 'known'").fetchone()
    assert tuple(stored) == ("known@example.com", 50_000)
    assert stage_of(spring, "Spring", "known") == "to review"  # judged by the stored numbers
    rows = run_json(db_path, "pipeline", "Spring")
    assert [(r["handle"], r["flag"]) for r in rows] == [("known", "email differs: someone@else.example")]
    shown = run(db_path, "pipeline", "Spring").stdout
    assert "Flagged: @known: email differs: someone@else.example." in shown


def test_a_known_handle_with_the_same_email_is_filled_as_import_does(web: TestClient, spring: Store) -> None:
    submit(web, page(spring), form(handle="known", email="known@example.com", followers="60k", country="DE"))
    stored = spring.writer.execute(
        "SELECT followers, country FROM influencers WHERE handle = 'known'").fetchone()
    assert tuple(stored) == (60_000, "DE")
    flag = spring.writer.execute("SELECT flag FROM applications").fetchone()[0]
    assert flag is None


@pytest.mark.parametrize(("fields", "fragment"), [
    ({"email": "not-an-address"}, "not-an-address"),
    ({"followers": "-5"}, "followers '-5'"),
    ({"handle": ""}, "Give your handle."),
    ({"email": ""}, "Give your email address."),
    ({"fee": "lots"}, "The fee 'lots' is not an amount"),
    ({"fee": "-10"}, "A fee cannot be negative"),
    ({"handle": "https://instagram.com/x"}, "is a link"),
])
def test_bad_input_shows_the_form_again_with_one_sentence(web: TestClient, spring: Store,
                                                          fields: dict[str, str], fragment: str) -> None:
    before = table_counts(spring)
    people = spring.writer.execute("SELECT count(*) FROM influencers").fetchone()[0]
    response = submit(web, page(spring), form(**fields))
    assert response.status_code == 400
    assert '<p class="problem" role="alert">' in response.text and "<form" in response.text
    problem = response.text.split('<p class="problem" role="alert">')[1].split("</p>")[0]
    assert fragment.replace("'", "&#39;") in problem
    assert 'value="New Bie"' in response.text  # what was typed is kept
    assert table_counts(spring) == before
    assert spring.writer.execute("SELECT count(*) FROM influencers").fetchone()[0] == people


def test_an_unknown_token_is_a_404_with_one_sentence(web: TestClient) -> None:
    for response in (web.get("/c/not-a-token"), web.post("/c/not-a-token", data=form()), web.get("/")):
        assert response.status_code == 404
        assert "There is no casting call at this address." in response.text
        assert "Traceback" not in response.text


def test_accept_language_picks_among_the_campaigns_languages(web: TestClient, spring: Store) -> None:
    french = web.get(page(spring), headers={"Accept-Language": "fr-CH, fr;q=0.9, en;q=0.8"})
    assert '<html lang="fr">' in french.text and "Candidater" in french.text
    assert HOSTILE_BRIEF.split("<")[0] in french.text  # the brief as stored
    german = web.get(page(spring), headers={"Accept-Language": "de"})
    assert '<html lang="en">' in german.text  # not one of the campaign's: its first language
    switched = web.get(page(spring) + "?lang=en", headers={"Accept-Language": "fr"})
    assert "Send my application" in switched.text
    assert 'href="?lang=fr"' in switched.text and 'href="?lang=en"' in switched.text
    answered = submit(web, page(spring), form(lang="fr"))
    assert "Candidature reçue" in answered.text


def test_campaign_show_has_the_apply_url(spring: Store, db_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    path = page(spring)
    assert run_json(db_path, "campaign", "show", "Spring")["apply_url"] == path
    assert "set [web] public_url" in run(db_path, "campaign", "show", "Spring").stdout
    monkeypatch.setenv("CALLSHEET_PUBLIC_URL", "https://casting.brand.example/")
    assert run_json(db_path, "campaign", "show", "Spring")["apply_url"] == f"https://casting.brand.example{path}"
    monkeypatch.setenv("CALLSHEET_PUBLIC_URL", "http://casting.brand.example")
    assert_user_error(run(db_path, "campaign", "show", "Spring"), "must be an https:// address")
    monkeypatch.setenv("CALLSHEET_PUBLIC_URL", "http://127.0.0.1:8025")
    assert run_json(db_path, "campaign", "show", "Spring")["apply_url"] == f"http://127.0.0.1:8025{path}"


def test_public_url_in_the_config_file(spring: Store, db_path: Path, tmp_path: Path) -> None:
    config = tmp_path / "xdg-config" / "callsheet" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('[web]\npublic_url = "https://apply.brand.example"\n')
    config.chmod(0o600)
    assert run_json(db_path, "campaign", "show", "Spring")["apply_url"].startswith("https://apply.brand.example/c/")
    config.write_text('[web]\npublic_address = "https://apply.brand.example"\n')
    assert_user_error(run(db_path, "campaign", "show", "Spring"), "Unknown setting 'public_address' in [web]")


def test_tokens_are_random_and_distinct(spring: Store) -> None:
    make_campaign(spring, "Autumn")
    tokens = [row[0] for row in spring.writer.execute("SELECT apply_token FROM campaigns")]
    assert len(set(tokens)) == 2 and all(len(t) >= 20 for t in tokens)


def test_the_web_identity_may_only_apply(spring: Store, db_path: Path, clock: Clock) -> None:
    opened = web_store(db_path, clock)
    try:
        with pytest.raises(Forbidden, match="callsheet-web is a web and may not move applications"), \
                opened.write():
            opened.require("move_application")
        assert not opened.may("manage_campaign") and opened.may(casting.APPLY_FROM_PAGE)
    finally:
        opened.close()
    assert not spring.may(casting.APPLY_FROM_PAGE) or spring.may("*")  # tester is the manager
    assert_user_error(run(db_path, "operator", "add", WEB_LOGIN, "--role", "manager"), "choose another login")


def test_the_web_identity_never_becomes_the_first_manager(tmp_path: Path, clock: Clock) -> None:
    opened = web_store(tmp_path / "fresh.db", clock)
    try:
        assert opened.writer.execute("SELECT count(*) FROM operators").fetchone()[0] == 0
    finally:
        opened.close()


def test_serve_refuses_an_open_address_without_https(spring: Store, db_path: Path) -> None:
    assert_user_error(run(db_path, "serve", "--host", "0.0.0.0"), "without an https public_url")
    assert_user_error(run(db_path.with_name("none.db"), "serve"), "There is no workspace")
