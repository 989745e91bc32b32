"""`callsheet influencer add | edit | tag | untag | show`: one contact by hand, checked as an import is."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mailer.actions import pipeline
from store.db import Store
from tests.cli_helpers import assert_user_error, run, run_json
from tests.pipeline_helpers import make_campaign

EVERY_FIELD = ("--email", "Ana@Example.COM", "--name", "Ana Lima", "--first-name", "Ana",
               "--followers", "12.5k", "--engagement", "3,5 %", "--country", "fr", "--language", "PT_BR",
               "--platform", "Instagram", "--platform", "tiktok", "--tag", "#Beauty", "--tag", "paris",
               "--address", "1 rue des Lilas\n75011 Paris", "--var", "Shoe size=38", "--var", "city=Paris")


def influencers(store: Store) -> list[tuple]:
    return store.writer.execute("SELECT * FROM influencers ORDER BY id").fetchall()


def audit(store: Store, action: str) -> list[dict]:
    rows = store.writer.execute("SELECT actor, detail FROM audit_events WHERE action = ? ORDER BY id",
                                (action,)).fetchall()
    return [{"actor": actor, **json.loads(detail)} for actor, detail in rows]


def test_add_then_show_round_trips_every_field(store: Store, db_path: Path) -> None:
    result = run(db_path, "influencer", "add", "@ana", *EVERY_FIELD)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Added @ana with ")
    card = run_json(db_path, "influencer", "show", "ANA")
    assert card == {
        "handle": "ana", "name": "Ana Lima", "first_name": "Ana", "email": "Ana@example.com",
        "address": "1 rue des Lilas\n75011 Paris", "platforms": ["instagram", "tiktok"], "followers": 12_500,
        "engagement_rate": 3.5, "country": "FR", "language": "pt-br", "tags": ["beauty", "paris"],
        "variables": {"shoe_size": "38", "city": "Paris"}, "unsubscribed": False, "bounced": False,
        "bounce_reason": None, "bookmarked": False, "campaigns": [], "notes": 0}
    [added] = audit(store, "influencer.add")
    assert added["actor"] == "tester" and added["changes"]["followers"] == {"before": None, "after": 12_500}


def test_show_lists_each_campaign_and_the_notes(store: Store, db_path: Path) -> None:
    make_campaign(store, "Spring")
    run(db_path, "influencer", "add", "ana", "--email", "ana@example.com", "--followers", "5000")
    pipeline.apply(store, "Spring", "ana", fee=300)
    assert run(db_path, "note", "ana", "Met at the fair").exit_code == 0
    card = run_json(db_path, "influencer", "show", "ana")
    assert card["campaigns"] == [{"campaign": "Spring", "stage": "to review", "source": "applied",
                                  "fee": 300, "currency": "EUR", "agreement_state": None,
                                  "agreement_deadline": None}]
    assert card["notes"] == 1
    text = run(db_path, "influencer", "show", "ana").stdout
    assert "campaign    Spring: to review (applied) · fee 300 EUR" in text
    assert "notes       1" in text


def test_edit_changes_only_what_is_given_and_clear_erases(store: Store, db_path: Path) -> None:
    run(db_path, "influencer", "add", "ana", *EVERY_FIELD)
    before = run_json(db_path, "influencer", "show", "ana")
    result = run(db_path, "influencer", "edit", "ana", "--followers", "20000", "--email", "",
                 "--clear", "address", "--clear", "var.shoe_size")
    assert result.stdout == "Changed @ana: followers, address, variables.\n"
    after = run_json(db_path, "influencer", "show", "ana")
    assert {k for k in after if after[k] != before[k]} == {"followers", "address", "variables"}
    assert (after["followers"], after["address"], after["variables"]) == (20_000, None, {"city": "Paris"})
    [edited] = audit(store, "influencer.edit")
    assert edited["changes"] == {
        "followers": {"before": 12_500, "after": 20_000},
        "address": {"before": "1 rue des Lilas\n75011 Paris", "after": None},
        "custom": {"before": {"shoe_size": "38", "city": "Paris"}, "after": {"city": "Paris"}}}


def test_an_edit_that_changes_nothing_says_so_and_audits_nothing(store: Store, db_path: Path) -> None:
    run(db_path, "influencer", "add", "ana", "--followers", "100")
    result = run(db_path, "influencer", "edit", "ana", "--followers", "100")
    assert result.stdout == "Nothing changed: @ana already reads that way.\n"
    assert audit(store, "influencer.edit") == []


@pytest.mark.parametrize(("args", "fragment"), [
    (("--email", "not-an-address"), "email 'not-an-address'"),
    (("--followers", "-3"), "followers '-3' is not a whole number"),
    (("--country", "France"), "country 'France' is not a two-letter ISO 3166 code"),
    (("--engagement", "150"), "is over 100%"),
    (("--name", "Ana\r\nBcc: x@evil.example"), "could forge an email header"),
    (("--clear", "shoe"), "Cannot clear 'shoe'"),
    (("--var", "novalue"), "--var takes KEY=VALUE"),
])
def test_bad_values_are_one_sentence_and_change_nothing(store: Store, db_path: Path, args: tuple[str, ...],
                                                        fragment: str) -> None:
    run(db_path, "influencer", "add", "ana", "--followers", "100", "--email", "ana@example.com")
    before = influencers(store)
    assert_user_error(run(db_path, "influencer", "edit", "ana", "--name", "Ana B", *args), fragment)
    assert influencers(store) == before
    if "--clear" not in args:
        assert_user_error(run(db_path, "influencer", "add", "bob", *args), fragment)
    assert len(influencers(store)) == 1


def test_several_problems_are_told_together(store: Store, db_path: Path) -> None:
    result = run(db_path, "influencer", "add", "bob", "--email", "bad", "--followers", "-3",
                 "--country", "FRA")
    assert_user_error(result, "Nothing changed: email 'bad'")
    assert "followers '-3'" in result.stderr and "country 'FRA'" in result.stderr


def test_a_known_handle_is_not_added_twice_and_an_unknown_one_not_edited(store: Store, db_path: Path) -> None:
    run(db_path, "influencer", "add", "ana")
    assert_user_error(run(db_path, "influencer", "add", "ANA"), "@ANA is already a contact; change it with "
                                                               "`callsheet influencer edit ANA`.")
    assert_user_error(run(db_path, "influencer", "edit", "@bob", "--name", "Bob"),
                      "There is no influencer with the handle '@bob'; add one with "
                      "`callsheet influencer add bob`.")
    assert_user_error(run(db_path, "influencer", "add", "https://instagram.com/ana"), "is a link")


def test_tag_and_untag_several_at_once(store: Store, db_path: Path) -> None:
    for handle in ("ana", "bob"):
        run(db_path, "influencer", "add", handle, "--tag", "paris")
    result = run(db_path, "influencer", "tag", "@ana", "@bob", "Beauty", "#vip")
    assert result.stdout == "Tagged 2 influencers #beauty, #vip.\n"
    assert run(db_path, "influencer", "tag", "ana", "vip").stdout == \
        "Tagged 0 influencers #vip; 1 influencer already had them.\n"
    assert run(db_path, "influencer", "untag", "@bob", "paris", "vip").exit_code == 0
    tags = {h: run_json(db_path, "influencer", "show", h)["tags"] for h in ("ana", "bob")}
    assert tags == {"ana": ["paris", "beauty", "vip"], "bob": ["beauty"]}
    assert [e["handle"] for e in audit(store, "influencer.tag")] == ["ana", "bob"]
    assert_user_error(run(db_path, "influencer", "tag", "@ana"), "Name the influencers and the tags")
    assert_user_error(run(db_path, "influencer", "tag", "@ana", "@zed", "x"),
                      "There is no influencer with the handle '@zed'.")
    assert tags["ana"] == run_json(db_path, "influencer", "show", "ana")["tags"]  # all or nothing


def _as(monkeypatch: pytest.MonkeyPatch, db_path: Path, login: str, role: str) -> None:
    assert run(db_path, "operator", "add", login, "--role", role).exit_code == 0
    monkeypatch.setenv("CALLSHEET_USER", login)


@pytest.mark.parametrize("role", ["viewer", "moderator"])
def test_a_role_that_may_not_edit_is_refused_and_nothing_changes(store: Store, db_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch,
                                                                 role: str) -> None:
    run(db_path, "influencer", "add", "ana", "--followers", "100")
    _as(monkeypatch, db_path, "visitor", role)
    before = influencers(store)
    for args in (("add", "bob"), ("edit", "ana", "--followers", "5"), ("tag", "@ana", "vip"),
                 ("untag", "@ana", "vip")):
        assert_user_error(run(db_path, "influencer", *args),
                          f"visitor is a {role} and may not edit influencers.")
    assert influencers(store) == before
    assert run_json(db_path, "influencer", "show", "ana")["followers"] == 100  # reading is for everyone


def test_an_evaluator_may_edit(store: Store, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run(db_path, "influencer", "add", "ana")
    _as(monkeypatch, db_path, "eve", "evaluator")
    assert run(db_path, "influencer", "edit", "ana", "--country", "be").exit_code == 0
    assert audit(store, "influencer.edit")[0]["actor"] == "eve"


def test_show_prints_outside_text_as_visible_escapes(store: Store, db_path: Path) -> None:
    assert run(db_path, "influencer", "add", "ana", "--address", "Rue \u202eevil").exit_code == 0
    assert_user_error(run(db_path, "influencer", "edit", "ana", "--var", "note=\x1b[31mred"),
                      "note contains a control character (U+001B)")
    text = run(db_path, "influencer", "show", "ana").stdout
    assert "\u202e" not in text and "\x1b" not in text
    assert "Rue \\u202eevil" in text


def test_add_in_a_real_process(store: Store, db_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "tui.cli", "--db", str(db_path), "influencer", "add", "cy",
                           "--email", "cy@example.com", "--json"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["email"] == "cy@example.com"
