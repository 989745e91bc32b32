"""A message's personal links (issue 14): answer the invitation, sign the agreement, one-click unsubscribe.

The pages run in-process (Starlette's TestClient) over a real SQLite store opened as
`callsheet-web`; the mail is queued by the real actions, and one test sends it through a
real aiosmtpd server and follows the List-Unsubscribe URL that arrived.
"""

from __future__ import annotations

import email
import json
import warnings
from collections.abc import Iterator
from datetime import timedelta
from email.policy import default
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from mailer.actions import campaigns as campaign_actions
from mailer.actions import outreach as outreach_actions
from mailer.actions import pipeline, templates
from mailer.actions.personal import answer_invitation
from mailer.config import load_config
from mailer.dispatch.dispatcher import Dispatcher
from mailer.smtp.mime import build_key, compose
from mailer.web.server import web_store
from store.clock import Clock
from store.db import Store
from store.errors import Forbidden, UserError
from store.operators import PERMISSIONS, WEB_ROLE
from store.outbox.tokens import MESSAGE_TOKEN, message_token
from tests.cli_helpers import run_json
from tests.dispatch_helpers import make_config, start_sink, stop_sink
from tests.pipeline_helpers import add_influencer, make_campaign, outbox, stage_of, table_counts
from tests.web_helpers import csrf_of, submit

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette suggests httpx2; httpx is what the lock has
    from starlette.testclient import TestClient

PUBLIC = "https://casting.example.com"
INVITATION = "Hi {{ firstName }}, join {{ campaign.name }}? Answer: {{ links.answer }}"
AGREEMENT = ("Terms of {{ campaign.name }}: two posts, fee {{ fee }}. Sign before {{ agreementDeadline }}: "
             "{{ links.agreement }} <b>bold</b>")


@pytest.fixture(autouse=True)
def _public_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CALLSHEET_PUBLIC_URL", PUBLIC)


@pytest.fixture
def spring(store: Store) -> Store:
    make_campaign(store, languages=["en", "fr"], timezone="Europe/Paris", moderation=False,
                  requires_agreement=True, agreement_days=3, closes="2026-12-31")
    templates.save_template(store, "Spring", "invitation", "en", "Join {{ campaign.name }}", INVITATION)
    templates.save_template(store, "Spring", "agreement", "en", "Your agreement", AGREEMENT)
    add_influencer(store, "ana", email="ana@mail.example")
    add_influencer(store, "zoe", email="zoe@mail.example", language="fr")
    return store


@pytest.fixture
def web(db_path: Path, clock: Clock, spring: Store) -> Iterator[TestClient]:
    yield from _client(db_path, clock)


def _client(db_path: Path, clock: Clock) -> Iterator[TestClient]:
    from mailer.web.app import create_app

    opened = web_store(db_path, clock)
    with TestClient(create_app(opened), base_url="https://testserver") as client:  # the cookie is Secure
        yield client
    opened.close()


def token_of(store: Store, handle: str, kind: str) -> str:
    row = store.writer.execute(
        """SELECT m.message_id FROM messages m JOIN influencers i ON i.id = m.influencer_id
           WHERE i.handle = ? AND m.kind = ? ORDER BY m.id DESC LIMIT 1""", (handle, kind)).fetchone()
    return message_token(row[0])


def invited(store: Store, handle: str = "ana") -> str:
    pipeline.invite(store, "Spring", [handle])
    return token_of(store, handle, "invitation")


def stage_events(store: Store, handle: str) -> list[tuple[str, str, str, str]]:
    """(actor, from, to, via) of every stage change of `handle`, in order."""
    rows = store.writer.execute(
        """SELECT actor, detail FROM audit_events WHERE action = 'application.stage'
             AND json_extract(detail, '$.handle') = ? ORDER BY id""", (handle,)).fetchall()
    return [(row[0], (d := json.loads(row[1]))["from"], d["to"], d["via"]) for row in rows]


def unsubscribed(store: Store, handle: str) -> int:
    row = store.writer.execute("SELECT unsubscribed FROM influencers WHERE handle = ?", (handle,)).fetchone()
    return int(row[0])


# -- the invitation ------------------------------------------------------------------------


def test_the_invitation_holds_its_own_token_and_yes_is_to_review(web: TestClient, spring: Store) -> None:
    token = invited(spring)
    [mail] = outbox(spring, kind="invitation")
    assert MESSAGE_TOKEN not in mail["body"]
    assert mail["body"] == f"Hi Ana, join Spring? Answer: {PUBLIC}/a/{token}"
    assert token == message_token(mail["message_id"]) and len(token) == 32

    shown = web.get(f"/a/{token}")
    assert shown.status_code == 200
    assert "Brand Casting invites you to take part in Spring." in shown.text
    assert 'name="answer" value="yes"' in shown.text and 'name="answer" value="no"' in shown.text
    assert shown.headers["content-security-policy"].startswith("default-src 'none'")
    assert "<script" not in shown.text
    assert stage_of(spring, "Spring", "ana") == "invited"  # a GET never acts

    answered = submit(web, f"/a/{token}", {"answer": "yes"})
    assert answered.status_code == 200
    assert "your yes was recorded" in answered.text
    assert stage_of(spring, "Spring", "ana") == "to review"
    assert stage_events(spring, "ana") == [("tester", None, "invited", "invite"),
                                           ("influencer:@ana", "invited", "to review", "answer")]
    decided = spring.writer.execute("SELECT decided_by FROM applications").fetchone()[0]
    assert decided is None  # an answer is theirs, not a decision


def test_a_second_answer_says_what_was_answered_and_changes_nothing(web: TestClient, spring: Store) -> None:
    token = invited(spring)
    shown = csrf_of(web.get(f"/a/{token}"))
    submit(web, f"/a/{token}", {"answer": "yes"}, token=shown)
    before = table_counts(spring)
    again = submit(web, f"/a/{token}", {"answer": "no"}, token=shown)  # the page still open
    assert again.status_code == 409
    assert "You already answered this invitation (yes); nothing changed." in again.text
    assert table_counts(spring) == before
    assert stage_of(spring, "Spring", "ana") == "to review"
    shown = web.get(f"/a/{token}")
    assert "You already answered this invitation (yes)" in shown.text and "<form" not in shown.text


def test_no_is_declined_by_them_with_no_mail(web: TestClient, spring: Store, db_path: Path) -> None:
    token = invited(spring)
    mails = len(outbox(spring))
    answered = submit(web, f"/a/{token}", {"answer": "no"})
    assert answered.status_code == 200 and "your answer was recorded" in answered.text
    assert stage_of(spring, "Spring", "ana") == "declined"
    assert stage_events(spring, "ana")[-1] == ("influencer:@ana", "invited", "declined", "answer-no")
    assert len(outbox(spring)) == mails
    assert "You already answered this invitation (no)" in web.get(f"/a/{token}").text
    shown = [(r["handle"], r["stage"]) for r in run_json(db_path, "pipeline", "Spring")]
    assert shown == [("ana", "declined")]


def test_an_answer_that_is_neither_yes_nor_no_is_one_sentence(web: TestClient, spring: Store) -> None:
    token = invited(spring)
    before = table_counts(spring)
    for data in ({"answer": "maybe"}, {}):
        response = submit(web, f"/a/{token}", data)
        assert response.status_code == 400 and "Please choose one of the buttons." in response.text
    assert table_counts(spring) == before


def test_a_closed_campaign_says_so_and_records_nothing(web: TestClient, spring: Store) -> None:
    token = invited(spring)
    shown = csrf_of(web.get(f"/a/{token}"))
    campaign_actions.close(spring, "Spring")
    before = table_counts(spring)
    assert "This campaign is closed" in web.get(f"/a/{token}").text
    response = submit(web, f"/a/{token}", {"answer": "yes"}, token=shown)
    assert response.status_code == 409
    assert "This campaign is closed; your answer was not recorded." in response.text
    assert table_counts(spring) == before and stage_of(spring, "Spring", "ana") == "invited"


@pytest.mark.parametrize("path", ["/a/0123456789abcdef0123456789abcdef", "/g/nope", "/u/nope",
                                  "/a/%3Cx%40y%3E", "/u/" + "x" * 300])
def test_a_stale_token_is_a_404_with_one_sentence(web: TestClient, spring: Store, path: str) -> None:
    invited(spring)
    before = table_counts(spring)
    for response in (web.get(path), web.post(path, data={"answer": "yes", "decision": "sign"})):
        assert response.status_code == 404
        assert "This link is not valid: it may be mistyped or out of date." in response.text
        assert "Traceback" not in response.text
    assert table_counts(spring) == before and unsubscribed(spring, "ana") == 0


def test_the_page_speaks_the_language_the_invitation_was_written_in(web: TestClient, spring: Store) -> None:
    templates.save_template(spring, "Spring", "invitation", "fr", "Rejoindre", "Salut : {{ links.answer }}")
    token = invited(spring, "zoe")
    shown = web.get(f"/a/{token}")
    assert '<html lang="fr">' in shown.text and "Oui, ça m&#39;intéresse" in shown.text
    answered = submit(web, f"/a/{token}", {"answer": "yes", "lang": "fr"})
    assert "votre oui a été enregistré" in answered.text


# -- the agreement -------------------------------------------------------------------------


def agreement_sent(store: Store, handle: str = "ana") -> str:
    invited(store, handle)
    pipeline.apply(store, "Spring", handle, fee=400)
    pipeline.decide(store, "Spring", [handle], "send-agreement")
    return token_of(store, handle, "agreement")


def test_the_agreement_page_shows_the_text_and_the_deadline_and_signs(web: TestClient, spring: Store) -> None:
    token = agreement_sent(spring)
    [mail] = outbox(spring, kind="agreement")
    assert f"{PUBLIC}/g/{token}" in mail["body"] and MESSAGE_TOKEN not in mail["body"]
    shown = web.get(f"/g/{token}")
    assert shown.status_code == 200
    assert "Terms of Spring: two posts, fee 400.0." in shown.text
    assert "&lt;b&gt;bold&lt;/b&gt;" in shown.text  # the mail's text, escaped
    # Sent 2026-11-23 10:00 UTC with 3 days: the deadline in UTC and in the campaign's zone.
    assert "2026-11-26 10:00 UTC (2026-11-26 11:00 Europe/Paris)" in shown.text
    assert 'value="sign"' in shown.text and 'value="refuse"' in shown.text
    assert stage_of(spring, "Spring", "ana") == "agreement sent"

    signed = submit(web, f"/g/{token}", {"decision": "sign"}, token=csrf_of(shown))
    assert signed.status_code == 200 and "your signature was recorded" in signed.text
    assert stage_of(spring, "Spring", "ana") == "signed"
    assert stage_events(spring, "ana")[-1] == ("influencer:@ana", "agreement sent", "signed", "signed")
    state = spring.writer.execute("SELECT agreement_state, decided_by FROM applications").fetchone()
    assert tuple(state) == ("signed", "influencer:@ana")

    before = table_counts(spring)
    again = submit(web, f"/g/{token}", {"decision": "refuse"}, token=csrf_of(shown))
    assert again.status_code == 409 and "You already signed this agreement; nothing changed." in again.text
    assert table_counts(spring) == before and stage_of(spring, "Spring", "ana") == "signed"
    # An operator can now accept them, as after `decide … signed`.
    pipeline.decide(spring, "Spring", ["ana"], "accept")
    assert stage_of(spring, "Spring", "ana") == "in campaign"


def test_refusing_is_refused_by_them(web: TestClient, spring: Store) -> None:
    token = agreement_sent(spring)
    response = submit(web, f"/g/{token}", {"decision": "refuse"})
    assert response.status_code == 200 and "Your refusal of the agreement was recorded." in response.text
    assert stage_of(spring, "Spring", "ana") == "refused"
    assert stage_events(spring, "ana")[-1] == ("influencer:@ana", "agreement sent", "refused", "refused")


def test_after_the_deadline_it_expired_and_records_nothing(db_path: Path, spring: Store) -> None:
    token = agreement_sent(spring)
    before = table_counts(spring)
    late = Clock.fixed("2026-11-26T09:59:00+00:00")
    for client in _client(db_path, late):
        opened = csrf_of(client.get(f"/g/{token}"))  # a minute before the deadline
        late.advance(timedelta(seconds=61))
        shown = client.get(f"/g/{token}")
        assert "This agreement expired on 2026-11-26 10:00 UTC" in shown.text and "<form" not in shown.text
        response = submit(client, f"/g/{token}", {"decision": "sign"}, token=opened)
        assert response.status_code == 409 and "This agreement expired" in response.text
    assert table_counts(spring) == before
    assert stage_of(spring, "Spring", "ana") == "agreement sent"  # the daemon records the expiry


def test_no_agreement_waiting_says_so(web: TestClient, spring: Store) -> None:
    token = agreement_sent(spring)
    opened = csrf_of(web.get(f"/g/{token}"))
    pipeline.decide(spring, "Spring", ["ana"], "reject")  # the operator moved on while the page was open
    before = table_counts(spring)
    response = submit(web, f"/g/{token}", {"decision": "sign"}, token=opened)
    assert response.status_code == 409
    assert "No agreement is waiting for your signature at this address." in response.text
    assert table_counts(spring) == before


# -- one-click unsubscribe -----------------------------------------------------------------


def test_a_get_shows_a_button_and_a_one_click_post_unsubscribes(web: TestClient, spring: Store) -> None:
    token = invited(spring)
    shown = web.get(f"/u/{token}")
    assert shown.status_code == 200 and 'name="List-Unsubscribe" value="One-Click"' in shown.text
    assert "Stop all email from Brand Casting?" in shown.text
    assert unsubscribed(spring, "ana") == 0  # a GET never unsubscribes
    response = web.post(f"/u/{token}", content=b"List-Unsubscribe=One-Click",
                        headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 200
    assert "You are unsubscribed: you will not receive any more email from us." in response.text
    assert unsubscribed(spring, "ana") == 1
    event = spring.writer.execute(
        "SELECT actor, detail FROM audit_events WHERE action = 'influencer.unsubscribe'").fetchall()
    assert [(actor, json.loads(detail)["source"]) for actor, detail in event] == [
        ("influencer:@ana", "token")]
    again = submit(web, f"/u/{token}", {"List-Unsubscribe": "One-Click"}, token=csrf_of(shown))
    assert again.status_code == 200 and "You were already unsubscribed; nothing changed." in again.text
    assert "already unsubscribed" in web.get(f"/u/{token}").text
    assert len(event) == spring.writer.execute(
        "SELECT count(*) FROM audit_events WHERE action = 'influencer.unsubscribe'").fetchone()[0]


def test_links_unsubscribe_is_the_page_with_a_public_url_and_the_mailto_without(
        spring: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    body = "Bye: {{ links.unsubscribe }}"
    templates.save_template(spring, "Spring", "invitation", "en", "Hello", body)
    token = invited(spring)
    assert outbox(spring, kind="invitation")[0]["body"] == f"Bye: {PUBLIC}/u/{token}"
    monkeypatch.delenv("CALLSHEET_PUBLIC_URL")
    add_influencer(spring, "bo")
    pipeline.invite(spring, "Spring", ["bo"])
    assert outbox(spring, kind="invitation")[1]["body"] == (
        "Bye: mailto:casting@brand.example?subject=unsubscribe%20Spring")


def test_without_a_public_url_an_answer_link_is_refused_before_anything_changes(
        spring: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CALLSHEET_PUBLIC_URL")
    before = table_counts(spring)
    with pytest.raises(UserError) as refused:
        pipeline.invite(spring, "Spring", ["ana"])
    assert refused.value.sentence == (
        "Template invitation (en), body line 1: links.answer needs the public address of `callsheet serve` "
        "(set [web] public_url or CALLSHEET_PUBLIC_URL).")
    assert table_counts(spring) == before
    # A template may test for the link, so one template serves with and without `serve`.
    templates.save_template(spring, "Spring", "invitation", "en", "Hi",
                            "Hi{% if links.answer %} {{ links.answer }}{% endif %}!")
    pipeline.invite(spring, "Spring", ["ana"])
    assert outbox(spring, kind="invitation")[0]["body"] == "Hi!"


def test_the_default_templates_carry_the_links_only_with_a_public_url(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    make_campaign(store, moderation=False)
    add_influencer(store, "ana")
    add_influencer(store, "bo")
    pipeline.invite(store, "Spring", ["ana"])
    assert f"Or answer here: {PUBLIC}/a/{token_of(store, 'ana', 'invitation')}" in outbox(store)[0]["body"]
    monkeypatch.delenv("CALLSHEET_PUBLIC_URL")
    pipeline.invite(store, "Spring", ["bo"])
    assert "answer here" not in outbox(store)[1]["body"]
    assert outbox(store)[1]["body"].rstrip().endswith("Brand Casting")


# -- the headers ---------------------------------------------------------------------------


def built(store: Store, **settings: str | None) -> email.message.EmailMessage:
    row = outbox(store, kind="invitation")[0]
    return email.message_from_bytes(compose(row, **settings), policy=default)


def test_the_built_message_offers_one_click_at_the_public_url(spring: Store) -> None:
    token = invited(spring)
    message = built(spring, public_url=PUBLIC)
    assert str(message["List-Unsubscribe"]) == (
        f"<{PUBLIC}/u/{token}>, <mailto:casting@brand.example?subject=unsubscribe%20{token}>")
    assert str(message["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
    # unsubscribe_url, when set, is still the one used.
    own = built(spring, public_url=PUBLIC, unsubscribe_url="https://brand.example/unsub")
    assert str(own["List-Unsubscribe"]).startswith(f"<https://brand.example/unsub?id={token}>, <mailto:")
    # Neither: the mailto alone, and no one-click promise; nor over plain http (loopback).
    assert "List-Unsubscribe-Post" not in built(spring)
    local = built(spring, public_url="http://127.0.0.1:8025")
    assert str(local["List-Unsubscribe"]).startswith(f"<http://127.0.0.1:8025/u/{token}>")
    assert "List-Unsubscribe-Post" not in local
    assert build_key(None, None, PUBLIC) != build_key(None, None, None)
    assert build_key(None, None, PUBLIC) != build_key(None, None, "https://other.example")


def test_the_dispatch_settings_take_the_public_url(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_config().dispatch.public_url == PUBLIC
    monkeypatch.delenv("CALLSHEET_PUBLIC_URL")
    assert load_config().dispatch.public_url is None


async def test_mail_through_smtp_carries_the_links_and_its_header_url_unsubscribes(
        spring: Store, db_path: Path, clock: Clock) -> None:
    token = invited(spring)
    sink = await start_sink()
    try:
        config = make_config(sink.port, public_url=PUBLIC)
        assert (await Dispatcher(spring, config).run_until_empty()).sent == 1
    finally:
        await stop_sink(sink)
    [received] = sink.received
    message = received.message
    assert message_token(received.message_id) == token
    header = str(message["List-Unsubscribe"])
    url = header.split(",")[0].strip().strip("<>")
    assert url == f"{PUBLIC}/u/{token}"
    assert str(message["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
    assert f"{PUBLIC}/a/{token}" in message.get_content()
    for client in _client(db_path, clock):
        # What a mailbox provider does (RFC 8058): POST the body to the header's URL.
        response = client.post(urlsplit(url).path, content=b"List-Unsubscribe=One-Click",
                               headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert response.status_code == 200 and "You are unsubscribed" in response.text
        answered = submit(client, urlsplit(f"{PUBLIC}/a/{token}").path, {"answer": "yes"})
        assert "your yes was recorded" in answered.text
    assert unsubscribed(spring, "ana") == 1
    assert stage_of(spring, "Spring", "ana") == "to review"


# -- moderation edits and the web role -----------------------------------------------------


def test_a_moderators_edit_fills_the_token_of_its_message(db_path: Path, clock: Clock, store: Store) -> None:
    make_campaign(store, moderation=True)
    add_influencer(store, "ana")
    pipeline.invite(store, "Spring", ["ana"])
    [planned] = outbox(store, kind="invitation")
    assert planned["status"] == "planned"
    outreach_actions.edit(store, planned["id"], None, "Hi {{ firstName }}: {{ links.answer }}")
    token = message_token(planned["message_id"])
    [edited] = outbox(store, kind="invitation")
    assert edited["body"] == f"Hi Ana: {PUBLIC}/a/{token}"
    outreach_actions.relanguage(store, [(planned["id"], "en")])
    assert f"{PUBLIC}/a/{token}" in outbox(store, kind="invitation")[0]["body"]
    for client in _client(db_path, clock):
        assert client.get(f"/a/{token}").status_code == 200


def test_the_web_role_may_only_do_what_the_pages_do(db_path: Path, clock: Clock, spring: Store) -> None:
    assert PERMISSIONS[WEB_ROLE] == {"apply_from_page", "answer_invitation", "sign_agreement",
                                     "unsubscribe_by_link", "follow_tracked_link"}
    token = invited(spring)
    web = web_store(db_path, clock)
    try:
        for refused in (lambda: pipeline.decide(web, "Spring", ["ana"], "decline"),
                        lambda: pipeline.apply(web, "Spring", "ana")):
            with pytest.raises(Forbidden):
                refused()
        assert stage_of(spring, "Spring", "ana") == "invited"
        # An operator's store may not answer for the influencer either: that is the page's verb.
        bob = Store(db_path, clock, actor="viewer-bob")
        with pytest.raises(Forbidden):
            answer_invitation(bob, token, True)
        bob.close()
        assert answer_invitation(web, token, True).state == "yes"
    finally:
        web.close()


@pytest.mark.parametrize(("slack", "status"), [(0, "queued"), (-1, "planned")])
def test_the_length_limit_counts_the_link_as_it_leaves(store: Store, slack: int, status: str) -> None:
    body = f"Hi Ana, join Spring? Answer: {PUBLIC}/a/{'0' * 32}"
    make_campaign(store, moderation=False, invite_limit=len(body) + slack)
    templates.save_template(store, "Spring", "invitation", "en", "Join", INVITATION)
    add_influencer(store, "ana")
    pipeline.invite(store, "Spring", ["ana"])
    [mail] = outbox(store, kind="invitation")
    assert len(mail["body"]) == len(body)
    assert mail["status"] == status and ("over_limit" in mail["flags"]) == (status == "planned")


@pytest.mark.parametrize(("body", "content_type"), [
    (b'--b\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--b--\r\n',
     "multipart/form-data; boundary=b"),
    (b"--b\r\nbroken", "multipart/form-data; boundary=b"),
    (b"", None),
])
def test_one_click_acts_whatever_form_the_post_takes(web: TestClient, spring: Store, body: bytes,
                                                     content_type: str | None) -> None:
    token = invited(spring)
    headers = {"Content-Type": content_type} if content_type else {}
    response = web.post(f"/u/{token}", content=body, headers=headers)
    assert response.status_code == 200 and "You are unsubscribed" in response.text
    assert unsubscribed(spring, "ana") == 1


def test_an_oversized_post_is_refused_and_changes_nothing(web: TestClient, spring: Store) -> None:
    token = invited(spring)
    before = table_counts(spring)
    response = web.post(f"/a/{token}", data={"answer": "yes", "pad": "x" * 70_000})
    assert response.status_code == 413 and "Traceback" not in response.text
    assert table_counts(spring) == before and stage_of(spring, "Spring", "ana") == "invited"


def test_the_daily_plan_gives_each_invitation_its_own_link(db_path: Path, store: Store,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CALLSHEET_NOW", "2026-11-23T18:00:00+00:00")
    make_campaign(store, segment="followers>=0", daily_cap=5)
    templates.save_template(store, "Spring", "invitation", "en", "Join", INVITATION)
    for handle in ("ana", "bo", "cy"):
        add_influencer(store, handle)
    assert run_json(db_path, "plan")["planned"] == 3
    mails = outbox(store, kind="invitation")
    links = {mail["body"].rpartition("/a/")[2] for mail in mails}
    assert links == {message_token(mail["message_id"]) for mail in mails} and len(links) == 3


def test_a_foreign_token_names_nothing(web: TestClient, spring: Store) -> None:
    """The local part of a Message-ID we received, or of our mail to no influencer, is no link."""
    from store.outbox.queueing import enqueue

    invited(spring)
    now = spring.now_iso()
    with spring.write() as db:
        db.conn.execute(
            """INSERT INTO messages (influencer_id, campaign_id, direction, kind, from_addr, to_addr, subject,
                   body, message_id, status, created_at, updated_at)
               SELECT id, NULL, 'in', 'reply', email, 'casting@brand.example', 'Re', 'Hi',
                      '<theirs1@mail.example>', NULL, ?, ? FROM influencers WHERE handle = 'ana'""",
            (now, now))
        _row, _status = enqueue(db, now=now, kind="manual", to_addr="press@else.example",
                                from_addr="casting@brand.example", subject="Hello", body="Hi")
    ours = message_token(outbox(spring, to_addr="press@else.example")[0]["message_id"])
    before = table_counts(spring)
    for token in ("theirs1", ours):
        for path in (f"/a/{token}", f"/g/{token}", f"/u/{token}"):
            assert web.post(path, data={"answer": "yes", "decision": "sign"}).status_code == 404
    assert table_counts(spring) == before and unsubscribed(spring, "ana") == 0
