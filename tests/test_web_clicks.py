"""Tracked links end to end: `{{ track(url) }}` saved, queued with the message's token, followed.

The redirect runs in-process (Starlette's TestClient) over a real SQLite store opened as
`callsheet-web`; the mail leaves through a real SMTP server (aiosmtpd) where the click
rate needs it delivered.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import Result

from mailer.web.server import web_store
from store.clock import Clock
from store.db import Store
from store.outbox.tokens import MESSAGE_TOKEN, message_token
from tests.cli_helpers import assert_user_error, run, run_json
from tests.dispatch_helpers import ThreadedSink
from tests.pipeline_helpers import add_influencer, make_campaign, outbox, table_counts

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette suggests httpx2; httpx is what the lock has
    from starlette.testclient import TestClient

PUBLIC = "http://127.0.0.1:8025"
LOOKBOOK = "https://brand.example/lookbook"
SHOP = "https://shop.brand.example/spring?utm_source=callsheet&x=1"
BODY = ('Hi {{ firstName }},\n\nOur lookbook: {{ track("https://brand.example/lookbook") }}\n'
        "Thanks,\n{{ sender.name }}\n")
LINK = re.compile(r"http://127\.0\.0\.1:8025/t/([^/\s]+)/(\d+)")


@pytest.fixture
def spring(store: Store, monkeypatch: pytest.MonkeyPatch) -> Store:
    monkeypatch.setenv("CALLSHEET_PUBLIC_URL", PUBLIC)
    make_campaign(store, moderation=False)
    for handle in ("ana", "bob", "cleo"):
        add_influencer(store, handle)
    return store


@pytest.fixture
def web(db_path: Path, clock: Clock, spring: Store) -> Iterator[TestClient]:
    from mailer.web.app import create_app

    opened = web_store(db_path, clock)
    with TestClient(create_app(opened)) as client:
        yield client
    opened.close()


def set_template(db_path: Path, tmp_path: Path, body: str = BODY, *, kind: str = "invitation",
                 subject: str = "Spring casting", html: str | None = None) -> Result:
    body_file = tmp_path / f"{kind}.txt"
    body_file.write_text(body)
    args = ["template", "set", "Spring", kind, "--lang", "en", "--subject", subject,
            "--body-file", str(body_file)]
    if html is not None:
        (tmp_path / f"{kind}.html").write_text(html)
        args += ["--html-file", str(tmp_path / f"{kind}.html")]
    return run(db_path, *args)


def targets(store: Store) -> list[tuple[int, str]]:
    return [tuple(row) for row in store.writer.execute("SELECT id, url FROM link_targets ORDER BY id")]


def clicks(store: Store) -> list[dict]:
    return list(store.writer.query("SELECT * FROM clicks ORDER BY id"))


def invite(store: Store, db_path: Path, tmp_path: Path, *handles: str) -> dict[str, str]:
    """Save the tracked template, invite `handles` and return each one's tracked link (as a path)."""
    saved = set_template(db_path, tmp_path)
    assert saved.exit_code == 0, saved.output
    result = run(db_path, "invite", "Spring", *handles)
    assert result.exit_code == 0, result.output
    links = {}
    for message in outbox(store, kind="invitation"):
        found = LINK.search(message["body"])
        assert found, message["body"]
        handle = store.writer.execute("SELECT handle FROM influencers WHERE id = ?",
                                      [message["influencer_id"]]).fetchone()[0]
        links[handle] = found.group(0).removeprefix(PUBLIC)
    return links


def test_a_saved_template_registers_each_target_once(spring: Store, db_path: Path, tmp_path: Path) -> None:
    body = BODY + '\nAnd again: {{ track("https://brand.example/lookbook") }}\n'
    html = f'<p><a href="{{{{ track("{SHOP}") }}}}">Shop</a> {{{{ track("{LOOKBOOK}") }}}}</p>'
    result = set_template(db_path, tmp_path, body, html=html)
    assert result.exit_code == 0, result.output
    assert targets(spring) == [(1, LOOKBOOK), (2, SHOP)]
    assert set_template(db_path, tmp_path, body, kind="welcome").exit_code == 0
    assert targets(spring) == [(1, LOOKBOOK), (2, SHOP)]


def test_an_invitation_holds_its_own_token_in_the_link(spring: Store, db_path: Path, tmp_path: Path) -> None:
    links = invite(spring, db_path, tmp_path, "ana", "bob")
    rows = outbox(spring, kind="invitation")
    assert [row["status"] for row in rows] == ["queued", "queued"]
    for row in rows:
        assert MESSAGE_TOKEN not in row["body"]
        assert f"{PUBLIC}/t/{message_token(row['message_id'])}/1\n" in row["body"]
    assert links["ana"] != links["bob"]


def test_following_the_link_records_the_click_and_redirects(spring: Store, web: TestClient, db_path: Path,
                                                            tmp_path: Path) -> None:
    links = invite(spring, db_path, tmp_path, "ana", "bob")
    response = web.get(links["ana"], follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["location"] == LOOKBOOK
    assert response.headers["cache-control"] == "no-store"
    message = outbox(spring, kind="invitation")[0]
    assert [(c["message_id"], c["influencer_id"], c["campaign_id"], c["target_id"], c["clicked_at"])
            for c in clicks(spring)] == [(message["id"], message["influencer_id"], 1, 1,
                                          "2026-11-23T10:00:00+00:00")]
    events = [e for e in run_json(db_path, "audit") if e["action"] == "message.click"]
    assert [(e["actor"], e["entity_id"], e["detail"]["target"]) for e in events] == [
        ("influencer:@ana", message["id"], LOOKBOOK)]


def test_a_query_string_on_the_target_survives_the_redirect(spring: Store, web: TestClient, db_path: Path,
                                                            tmp_path: Path) -> None:
    assert set_template(db_path, tmp_path, f'Shop: {{{{ track("{SHOP}") }}}}\n').exit_code == 0
    assert run(db_path, "invite", "Spring", "ana").exit_code == 0
    path = LINK.search(outbox(spring, kind="invitation")[0]["body"]).group(0).removeprefix(PUBLIC)
    assert web.get(path, follow_redirects=False).headers["location"] == SHOP


@pytest.mark.parametrize("path", [
    "/t/{token}/99", "/t/{token}/abc", "/t/{token}", "/t/0123abcd/1", "/t/%3Cx%3E/1", "/t/{token}/1/extra",
    "/t/{token}/-1", "/t/{token}/99999999999999999999999", "/t/{token}/01", "/t/{token}/0",
    "/t/{token}/%C2%B9", "/t/" + "a" * 300 + "/1", "/t/{token}%40x/1"])
def test_an_unknown_target_or_token_is_404_and_records_nothing(spring: Store, web: TestClient, db_path: Path,
                                                               tmp_path: Path, path: str) -> None:
    token = invite(spring, db_path, tmp_path, "ana")["ana"].split("/")[2]
    before = table_counts(spring)
    response = web.get(path.format(token=token), follow_redirects=False)
    assert response.status_code == 404
    assert "location" not in response.headers
    assert "Traceback" not in response.text
    assert "This link leads nowhere" in response.text or "There is no casting call" in response.text
    assert clicks(spring) == [] and table_counts(spring) == before


def test_the_404_speaks_the_visitors_language(spring: Store, web: TestClient, db_path: Path,
                                              tmp_path: Path) -> None:
    token = invite(spring, db_path, tmp_path, "ana")["ana"].split("/")[2]
    response = web.get(f"/t/{token}/99", headers={"accept-language": "fr-FR,fr;q=0.9"})
    assert response.status_code == 404 and "Ce lien ne mène nulle part" in response.text


def test_a_token_of_another_message_counts_for_that_message(spring: Store, web: TestClient, db_path: Path,
                                                            tmp_path: Path) -> None:
    # Any registered target works with any of our tokens, recorded against the token's message:
    # nothing is redirected anywhere an operator did not write, so the link is no open redirect.
    shop = f'Shop: {{{{ track("{SHOP}") }}}}\n'
    assert set_template(db_path, tmp_path, shop, kind="welcome").exit_code == 0
    links = invite(spring, db_path, tmp_path, "ana")
    shop_id = dict((url, i) for i, url in targets(spring))[SHOP]
    token = links["ana"].split("/")[2]
    response = web.get(f"/t/{token}/{shop_id}", follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (302, SHOP)
    message = outbox(spring, kind="invitation")[0]
    assert [(c["message_id"], c["target_id"]) for c in clicks(spring)] == [(message["id"], shop_id)]


def test_head_redirects_but_records_nothing(spring: Store, web: TestClient, db_path: Path,
                                            tmp_path: Path) -> None:
    links = invite(spring, db_path, tmp_path, "ana")
    before = table_counts(spring)
    response = web.head(links["ana"], follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (302, LOOKBOOK)
    assert web.head(links["ana"].rsplit("/", 1)[0] + "/99").status_code == 404
    assert clicks(spring) == [] and table_counts(spring) == before
    assert web.get(links["ana"], follow_redirects=False).status_code == 302
    assert len(clicks(spring)) == 1


def test_status_counts_clicks_and_each_person_once(spring: Store, web: TestClient, db_path: Path,
                                                   tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    links = invite(spring, db_path, tmp_path, "ana", "bob", "cleo")
    assert run_json(db_path, "status", "Spring")["tracked_recipients"] == 0  # nothing has left yet
    with ThreadedSink() as sink:
        monkeypatch.setenv("CALLSHEET_SMTP_URL", f"smtp://127.0.0.1:{sink.port}?tls=none")
        assert run(db_path, "dispatch", "--until-empty").exit_code == 0
    assert len(sink.received) == 3
    assert all(LINK.search(item.message.get_content()) for item in sink.received)
    for path in (links["ana"], links["ana"], links["bob"]):
        assert web.get(path, follow_redirects=False).status_code == 302
    numbers = run_json(db_path, "status", "Spring")
    assert {key: numbers[key] for key in ("clicks", "clickers", "tracked_recipients", "click_rate")} == {
        "clicks": 3, "clickers": 2, "tracked_recipients": 3, "click_rate": 66.7}
    text = run(db_path, "status", "Spring").stdout
    assert "clicks          3 by 2 people\n" in text
    assert "click rate      66.7% (2 of 3 people sent a tracked link)\n" in text


def test_status_without_tracked_links(spring: Store, db_path: Path) -> None:
    text = run(db_path, "status", "Spring").stdout
    assert "clicks          0 by 0 people\n" in text and "click rate      no tracked links sent\n" in text


def test_the_timeline_shows_the_click_under_its_message(spring: Store, web: TestClient, db_path: Path,
                                                        tmp_path: Path) -> None:
    links = invite(spring, db_path, tmp_path, "ana")
    assert run(db_path, "note", "ana", "before the click").exit_code == 0
    web.get(links["ana"], follow_redirects=False)
    entries = run_json(db_path, "history", "ana")
    kinds = [(e["entry"], e["subject"]) for e in entries if e["entry"] in ("message", "click")]
    assert kinds == [("message", "Spring casting"), ("click", f"clicked {LOOKBOOK}")]
    assert entries[-1]["at"] == "2026-11-23T10:00:00+00:00"
    assert f"clicked {LOOKBOOK}" in run(db_path, "history", "ana").stdout
    in_spring = run_json(db_path, "history", "ana", "--campaign", "Spring")
    assert [e["entry"] for e in in_spring].count("click") == 1


@pytest.mark.parametrize(("body", "where", "words"), [
    ('Hi\n{{ track("javascript:alert(1)") }}\n', "body line 2", "needs an http:// or https:// address"),
    ('Hi\n\n{{ track("ftp://files.brand.example/a") }}\n', "body line 3", "http:// or https://"),
    ('{{ track("https://") }}\n', "body line 1", "with a host"),
    ('Hi\n{{ track("https://brand.example/a b") }}\n', "body line 2", "percent-encoded"),
    ('Hi\n{{ track("https://bränd.example/") }}\n', "body line 2", "non-ASCII"),
    ('Hi\n{{ track(firstName) }}\n', "body line 2", "takes one address in quotes"),
    ('Hi\n{{ track("https://a.example/" ~ handle) }}\n', "body line 2", "takes one address in quotes"),
    ('{% set t = track %}\n{{ t("https://a.example/") }}\n', "body line 1", "takes one address in quotes"),
    ('{{ track("https://a.example/", "x") }}\n', "body line 1", "takes one address in quotes"),
])
def test_a_bad_target_is_refused_at_template_set_naming_the_line(spring: Store, db_path: Path, tmp_path: Path,
                                                                  body: str, where: str, words: str) -> None:
    before = table_counts(spring)
    result = set_template(db_path, tmp_path, body)
    assert_user_error(result, f"Template invitation (en), {where}: ")
    assert words in result.stderr
    assert table_counts(spring) == before and targets(spring) == []


def test_a_subject_cannot_hold_a_tracked_link(spring: Store, db_path: Path, tmp_path: Path) -> None:
    before = table_counts(spring)
    result = set_template(db_path, tmp_path, subject='See {{ track("https://brand.example/") }}')
    assert_user_error(result, "Template invitation (en), subject line 1: "
                      "a subject cannot hold a tracked link;")
    assert table_counts(spring) == before and targets(spring) == []


def test_a_bad_target_in_the_html_body_is_refused(spring: Store, db_path: Path, tmp_path: Path) -> None:
    result = set_template(db_path, tmp_path, html='<p>\n<a href="{{ track("data:text/html,x") }}">x</a></p>')
    assert_user_error(result, "Template invitation (en), HTML body line 2: ")
    assert targets(spring) == []


def test_without_public_url_a_tracked_template_cannot_be_queued(spring: Store, db_path: Path, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CALLSHEET_PUBLIC_URL")
    assert set_template(db_path, tmp_path).exit_code == 0  # saving needs no address
    before = table_counts(spring)
    result = run(db_path, "invite", "Spring", "ana")
    assert_user_error(result, "set [web] public_url or CALLSHEET_PUBLIC_URL")
    assert "body line 3" in result.stderr
    assert table_counts(spring) == before and outbox(spring) == []


def test_a_moderators_hand_edit_registers_its_new_target(store: Store, db_path: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CALLSHEET_PUBLIC_URL", PUBLIC)
    make_campaign(store)  # moderation on: the invitation waits in the queue
    add_influencer(store, "ana")
    assert set_template(db_path, tmp_path).exit_code == 0
    assert run(db_path, "invite", "Spring", "ana").exit_code == 0
    message = outbox(store, kind="invitation")[0]
    edit = tmp_path / "edit.txt"
    edit.write_text('Hi {{ firstName }}, the shop: {{ track("https://shop.brand.example/new") }}\n')
    result = run(db_path, "moderation", "edit", str(message["id"]), "--body-file", str(edit))
    assert result.exit_code == 0, result.output
    assert targets(store) == [(1, LOOKBOOK), (2, "https://shop.brand.example/new")]
    body = outbox(store, kind="invitation")[0]["body"]
    assert MESSAGE_TOKEN not in body
    assert f"{PUBLIC}/t/{message_token(message['message_id'])}/2\n" in body


def test_a_preview_leaves_a_new_target_pending_until_it_is_queued(spring: Store, db_path: Path) -> None:
    # The app's compose and bulk previews render on a read-only view and queue the drafts later.
    from mailer.templating.rendering import render
    from store import campaigns, influencers
    from store.outbox.queueing import enqueue

    db = spring.reader()
    ana = influencers.get_by_handle(db, "ana")
    rendered = render(db, campaigns.get(db, "Spring"), "invitation", ana,
                      source=("Hi", 'See {{ track("https://brand.example/unsaved") }}'))
    assert rendered.body.startswith(f"See {PUBLIC}/t/{MESSAGE_TOKEN}/CALLSHEET-TARGET-")
    assert targets(spring) == []
    with spring.write() as writer:
        row_id, _ = enqueue(writer, now=spring.now_iso(), kind="manual", to_addr="ana@example.com",
                            from_addr="casting@brand.example", subject="Hi", body=rendered.body,
                            influencer_id=ana["id"], campaign_id=1, author="tester")
    assert targets(spring) == [(1, "https://brand.example/unsaved")]
    stored = outbox(spring, id=row_id)[0]
    assert stored["body"] == f"See {PUBLIC}/t/{message_token(stored['message_id'])}/1"


def test_text_from_outside_cannot_ask_for_a_target(spring: Store, db_path: Path) -> None:
    # A pending target carries this process's nonce: a name typed on the casting page that looks
    # like one is queued as the text it is, and registers nothing.
    from store.outbox.queueing import enqueue

    forged = "CALLSHEET-TARGET-0123456789abcdef-https%3A%2F%2Fevil.example%2F!"
    with spring.write() as writer:
        row_id, _ = enqueue(writer, now=spring.now_iso(), kind="manual", to_addr="ana@example.com",
                            from_addr="casting@brand.example", subject="Hi", body=f"Hello {forged}",
                            influencer_id=1, campaign_id=1, author="tester")
    assert outbox(spring, id=row_id)[0]["body"] == f"Hello {forged}"
    assert targets(spring) == []


def test_a_bulk_mail_registers_its_new_target_when_queued(spring: Store, web: TestClient) -> None:
    from mailer.actions import inbox as inbox_actions

    ids = [row[0] for row in spring.writer.execute("SELECT id FROM influencers ORDER BY id")]
    body = 'Hi {{ firstName }}: {{ track("https://brand.example/bulk") }}'
    preview = inbox_actions.plan_bulk(spring, ids, 1, "News", body)
    assert preview.count == 3 and targets(spring) == []
    inbox_actions.queue_bulk(spring, ids, 1, "News", body, preview.count)
    assert targets(spring) == [(1, "https://brand.example/bulk")]
    rows = outbox(spring, kind="bulk")
    assert [LINK.search(row["body"]).group(2) for row in rows] == ["1", "1", "1"]
    path = LINK.search(rows[1]["body"]).group(0).removeprefix(PUBLIC)
    assert web.get(path, follow_redirects=False).headers["location"] == "https://brand.example/bulk"
    assert [c["message_id"] for c in clicks(spring)] == [rows[1]["id"]]


def test_a_custom_variable_named_track_does_not_hide_the_function(spring: Store, db_path: Path,
                                                                  tmp_path: Path) -> None:
    spring.writer.execute("UPDATE influencers SET custom = ? WHERE handle = 'ana'", ['{"track": "Song 2"}'])
    body = 'Your {{ vars.track }}: {{ track("https://brand.example/lookbook") }}\n'
    assert set_template(db_path, tmp_path, body).exit_code == 0
    assert run(db_path, "invite", "Spring", "ana").exit_code == 0
    assert LINK.search(outbox(spring, kind="invitation")[0]["body"])
    assert outbox(spring, kind="invitation")[0]["body"].startswith("Your Song 2: ")
