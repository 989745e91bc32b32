"""`[links] track = true`: every plain http(s) link a template writes goes out as a tracked link.

Only addresses spelled out in the template are rewritten (an influencer's own data never
becomes a redirect target), links to our own pages are left alone, and in HTML the
address is unescaped before it is registered.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from mailer.web.server import web_store
from store.clock import Clock
from store.db import Store
from store.outbox.tokens import message_token
from tests.cli_helpers import assert_user_error, run
from tests.dispatch_helpers import write_config
from tests.pipeline_helpers import add_influencer, make_campaign, outbox, table_counts

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette suggests httpx2; httpx is what the lock has
    from starlette.testclient import TestClient

PUBLIC = "http://127.0.0.1:8025"
BODY = ("Hi {{ firstName }},\n"
        "Lookbook: https://brand.example/lookbook.\n"
        "Your site: {{ vars.site }}\n"
        "Our casting page: http://127.0.0.1:8025/c/spring\n"
        "Again (https://brand.example/lookbook)\n")
HTML = '<p><a href="https://shop.brand.example/?a=1&amp;b=2">Shop</a> {{ vars.site }}</p>'
SHOP = "https://shop.brand.example/?a=1&b=2"


@pytest.fixture
def spring(store: Store, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, db_path: Path) -> Store:
    monkeypatch.setenv("CALLSHEET_PUBLIC_URL", PUBLIC)
    make_campaign(store, moderation=False)
    add_influencer(store, "ana", custom={"site": "https://evil.example/x"})
    (tmp_path / "body.txt").write_text(BODY)
    (tmp_path / "body.html").write_text(HTML)
    result = run(db_path, "template", "set", "Spring", "invitation", "--lang", "en", "--subject", "Spring",
                 "--body-file", str(tmp_path / "body.txt"), "--html-file", str(tmp_path / "body.html"))
    assert result.exit_code == 0, result.output
    return store


@pytest.fixture
def web(db_path: Path, clock: Clock, spring: Store) -> Iterator[TestClient]:
    from mailer.web.app import create_app

    opened = web_store(db_path, clock)
    with TestClient(create_app(opened)) as client:
        yield client
    opened.close()


def targets(store: Store) -> list[str]:
    return [row[0] for row in store.writer.execute("SELECT url FROM link_targets ORDER BY id")]


def test_without_the_setting_plain_links_stay_as_written(spring: Store, db_path: Path) -> None:
    assert run(db_path, "invite", "Spring", "ana").exit_code == 0
    message = outbox(spring, kind="invitation")[0]
    assert "Lookbook: https://brand.example/lookbook.\n" in message["body"]
    assert targets(spring) == []


def test_the_setting_tracks_the_links_the_template_writes(spring: Store, db_path: Path,
                                                         web: TestClient) -> None:
    write_config("[links]\ntrack = true\n")
    assert run(db_path, "invite", "Spring", "ana").exit_code == 0
    message = outbox(spring, kind="invitation")[0]
    token = message_token(message["message_id"])
    assert message["body"] == (
        "Hi Ana,\n"
        f"Lookbook: {PUBLIC}/t/{token}/1.\n"
        "Your site: https://evil.example/x\n"
        "Our casting page: http://127.0.0.1:8025/c/spring\n"
        f"Again ({PUBLIC}/t/{token}/1)\n")
    assert message["body_html"] == (f'<p><a href="{PUBLIC}/t/{token}/2">Shop</a> https://evil.example/x</p>')
    assert targets(spring) == ["https://brand.example/lookbook", SHOP]
    response = web.get(f"/t/{token}/2", follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (302, SHOP)


def test_the_setting_needs_the_public_address(spring: Store, db_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    write_config("[links]\ntrack = true\n")
    monkeypatch.delenv("CALLSHEET_PUBLIC_URL")
    before = table_counts(spring)
    result = run(db_path, "invite", "Spring", "ana")
    assert_user_error(result, "[links] track = true needs the public address of `callsheet serve`")
    assert "CALLSHEET_PUBLIC_URL" in result.stderr
    assert table_counts(spring) == before and targets(spring) == []


def test_a_wrong_setting_is_one_sentence(spring: Store, db_path: Path) -> None:
    write_config('[links]\ntrack = "yes"\n')
    before = table_counts(spring)
    result = run(db_path, "invite", "Spring", "ana")
    assert_user_error(result, "The setting 'track' in [links] has the wrong type.")
    write_config("[links]\ntrak = true\n")
    assert_user_error(run(db_path, "invite", "Spring", "ana"), "Unknown setting 'trak' in [links]")
    assert table_counts(spring) == before


def test_a_bulk_mail_tracks_its_plain_links(spring: Store, db_path: Path) -> None:
    from mailer.actions import inbox as inbox_actions

    write_config("[links]\ntrack = true\n")
    body = "News: https://brand.example/news, and {{ vars.site }}"
    preview = inbox_actions.plan_bulk(spring, [1], 1, "News", body)
    assert preview.count == 1 and targets(spring) == []
    inbox_actions.queue_bulk(spring, [1], 1, "News", body, 1)
    message = outbox(spring, kind="bulk")[0]
    assert re.fullmatch(rf"News: {re.escape(PUBLIC)}/t/[0-9a-f]{{32}}/1, and https://evil\.example/x",
                        message["body"]), message["body"]
    assert targets(spring) == ["https://brand.example/news"]
