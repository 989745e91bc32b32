"""`clicked:yes|no`, `clicked:7d`, `clicked>30d` in the query syntax, over clicks made through `/t/`.

The clicks are real: a tracked invitation queued by `invite`, followed in-process as the
`callsheet-web` identity at chosen times; the queries run at a later, pinned time.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest

from mailer.web.server import web_store
from store.clock import Clock
from store.db import Store
from store.query.parser import parse_query
from store.query.tokens import QueryError
from tests.cli_helpers import assert_user_error, run, run_json
from tests.pipeline_helpers import add_influencer, make_campaign, outbox

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette suggests httpx2; httpx is what the lock has
    from starlette.testclient import TestClient

PUBLIC = "http://127.0.0.1:8025"
SENT = "2026-11-01T10:00:00+00:00"
ANA_CLICKS = "2026-11-10T10:00:00+00:00"  # 13 days before NOW (tests/conftest.py)
BOB_CLICKS = "2026-11-20T10:00:00+00:00"  # 3 days before NOW
LINK = re.compile(r"http://127\.0\.0\.1:8025(/t/\S+/\d+)")


def click(db_path: Path, path: str, at: str) -> None:
    from mailer.web.app import create_app

    opened = web_store(db_path, Clock.fixed(at))
    with TestClient(create_app(opened)) as client:
        assert client.get(path, follow_redirects=False).status_code == 302
    opened.close()


@pytest.fixture
def clicked(store: Store, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """ana clicked 13 days ago (twice), bob 3 days ago, cleo got the link and did not, dan got nothing."""
    monkeypatch.setenv("CALLSHEET_PUBLIC_URL", PUBLIC)
    monkeypatch.setenv("CALLSHEET_NOW", SENT)
    make_campaign(store, moderation=False)
    for handle in ("ana", "bob", "cleo", "dan"):
        add_influencer(store, handle)
    body = tmp_path / "invitation.txt"
    body.write_text('Hi {{ firstName }}: {{ track("https://brand.example/lookbook") }}\n')
    assert run(db_path, "template", "set", "Spring", "invitation", "--lang", "en", "--subject", "Spring",
               "--body-file", str(body)).exit_code == 0
    assert run(db_path, "invite", "Spring", "ana", "bob", "cleo").exit_code == 0
    links = {row["to_addr"].split("@")[0]: LINK.search(row["body"]).group(1)
             for row in outbox(store, kind="invitation")}
    click(db_path, links["ana"], ANA_CLICKS)
    click(db_path, links["ana"], ANA_CLICKS)
    click(db_path, links["bob"], BOB_CLICKS)
    monkeypatch.delenv("CALLSHEET_NOW")
    monkeypatch.setenv("CALLSHEET_NOW", "2026-11-23T10:00:00+00:00")
    return db_path


def handles(db_path: Path, query: str) -> list[str]:
    return [row["handle"] for row in run_json(db_path, "influencers", query)]


@pytest.mark.parametrize(("query", "expected"), [
    ("clicked:yes", ["ana", "bob"]),
    ("clicked:no", ["cleo", "dan"]),
    ("-clicked:yes", ["cleo", "dan"]),
    ("clicked:7d", ["bob"]),
    ("clicked<7d", ["bob"]),
    ("clicked:2w", ["ana", "bob"]),
    ("clicked>7d", ["ana"]),
    ("clicked>2w", []),
    ("clicked:yes campaign:Spring", ["ana", "bob"]),
    ("campaign:Spring -clicked:yes", ["cleo"]),
    ("clicked:no OR handle:ana", ["ana", "cleo", "dan"]),
])
def test_clicked_selects_the_right_people(clicked: Path, query: str, expected: list[str]) -> None:
    assert handles(clicked, query) == expected


def test_a_segment_with_clicked_is_read_anew_as_time_passes(clicked: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    result = run(clicked, "segment", "save", "recent clickers", "clicked:7d")
    assert result.exit_code == 0, result.output
    assert "(1 influencer matches now)" in result.stdout
    assert handles(clicked, 'segment:"recent clickers"') == ["bob"]
    assert handles(clicked, 'segment:"recent clickers" OR clicked>7d') == ["ana", "bob"]
    monkeypatch.setenv("CALLSHEET_NOW", "2026-12-01T10:00:00+00:00")
    assert handles(clicked, 'segment:"recent clickers"') == []


def test_clicks_in_one_campaign_are_clicks_for_the_query(clicked: Path) -> None:
    make = run(clicked, "campaign", "create", "Autumn", "--sender", "casting@brand.example")
    assert make.exit_code == 0, make.output
    assert handles(clicked, "campaign:Autumn clicked:yes") == []


@pytest.mark.parametrize(("text", "normal"), [
    ("clicked:YES", "clicked:yes"), ("clicked:n", "clicked:no"), ("clicked>2w", "clicked>14d"),
    ("clicked<=7d", "clicked:7d"), ("-clicked:yes", "-clicked:yes"),
])
def test_clicked_terms_read_back_as_they_mean(text: str, normal: str) -> None:
    assert str(parse_query(text)) == normal


@pytest.mark.parametrize(("text", "sentence"), [
    ("clicked:maybe", "clicked takes yes, no or a number of days such as 7d or 2w, not 'maybe' "
                      "(in 'clicked:maybe')."),
    ("clicked:", "'clicked:' needs a value after the ':'."),
    ("clicked>yes", "clicked takes yes, no or a number of days such as 7d or 2w, not 'yes'"),
    ("clicked:99999d", "'clicked:99999d' reaches back more than 36500 days."),
    ("clikced:yes", "Unknown key 'clikced' in 'clikced:yes'; did you mean 'clicked'?"),
])
def test_bad_clicked_terms_are_one_sentence(text: str, sentence: str) -> None:
    with pytest.raises(QueryError) as raised:
        parse_query(text)
    assert sentence in str(raised.value)


def test_a_bad_clicked_term_on_the_command_line(clicked: Path) -> None:
    result = run(clicked, "influencers", "clicked:often")
    assert_user_error(result, "clicked takes yes, no or a number of days")
