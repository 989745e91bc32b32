"""`callsheet unsubscribe HANDLE…|--token`, `callsheet resubscribe` and `sync --json` unsubscribes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from store.db import Store
from store.outbox.tokens import message_token as unsubscribe_token
from tests.cli_helpers import assert_user_error, run, run_json
from tests.dovecot import ImapAccount
from tests.inbox_helpers import add_campaign, add_influencer, raw_mail, send
from tests.test_inbox_sync import append

pytest_plugins = ["tests.conftest_dovecot"]


def unsubscribed(store: Store) -> dict[str, int]:
    return dict(store.writer.execute("SELECT handle, unsubscribed FROM influencers").fetchall())


def events(store: Store) -> list[tuple]:
    rows = store.writer.execute(
        """SELECT a.action, i.handle, a.actor, a.campaign_id, a.detail FROM audit_events a
           JOIN influencers i ON i.id = a.entity_id
           WHERE a.action IN ('influencer.unsubscribe', 'influencer.resubscribe') ORDER BY a.id""").fetchall()
    return [(action, handle, actor, campaign, json.loads(detail))
            for action, handle, actor, campaign, detail in rows]


@pytest.fixture
def people(store: Store) -> dict[str, int]:
    return {handle: add_influencer(store, handle) for handle in ("ana", "bo", "cy")}


def test_unsubscribe_handles_then_resubscribe(store: Store, db_path: Path, people: dict[str, int]) -> None:
    result = run(db_path, "unsubscribe", "ana", "@bo")
    assert result.exit_code == 0, result.output
    assert result.stdout == ("Unsubscribed ana; they will not be emailed again.\n"
                             "Unsubscribed bo; they will not be emailed again.\n")
    again = run(db_path, "unsubscribe", "ana")
    assert again.exit_code == 0 and again.stdout == "ana was already unsubscribed; nothing changed.\n"
    assert unsubscribed(store) == {"ana": 1, "bo": 1, "cy": 0}

    result = run(db_path, "resubscribe", "ana")
    assert result.exit_code == 0 and result.stdout == "Resubscribed ana; they can be emailed again.\n"
    assert unsubscribed(store) == {"ana": 0, "bo": 1, "cy": 0}
    assert events(store) == [
        ("influencer.unsubscribe", "ana", "tester", None, {"source": "manual"}),
        ("influencer.unsubscribe", "bo", "tester", None, {"source": "manual"}),
        ("influencer.resubscribe", "ana", "tester", None, {})]


def test_unknown_handles_change_nothing(store: Store, db_path: Path, people: dict[str, int]) -> None:
    assert_user_error(run(db_path, "unsubscribe", "ana", "zed", "yan"),
                      "There are no influencers with the handles 'zed', 'yan'.")
    assert_user_error(run(db_path, "resubscribe", "zed"), "There is no influencer with the handle 'zed'.")
    assert_user_error(run(db_path, "resubscribe", "cy"), "cy is not unsubscribed.")
    assert unsubscribed(store) == {"ana": 0, "bo": 0, "cy": 0} and events(store) == []


def test_handles_or_token_not_both_nor_neither(store: Store, db_path: Path, people: dict[str, int]) -> None:
    message_id = send(store, people["ana"])
    token = unsubscribe_token(message_id)
    assert_user_error(run(db_path, "unsubscribe"), "Name the influencers to unsubscribe, or give --token")
    assert_user_error(run(db_path, "unsubscribe", "bo", "--token", token), "not both")
    assert unsubscribed(store) == {"ana": 0, "bo": 0, "cy": 0}


def test_token_unsubscribes_whoever_received_the_message(store: Store, db_path: Path,
                                                          people: dict[str, int]) -> None:
    campaign = add_campaign(store)
    message_id = send(store, people["bo"], campaign_id=campaign)
    token = unsubscribe_token(message_id)
    result = run(db_path, "unsubscribe", "--token", token)
    assert result.exit_code == 0 and result.stdout == "Unsubscribed bo; they will not be emailed again.\n"
    assert unsubscribed(store) == {"ana": 0, "bo": 1, "cy": 0}
    assert events(store) == [("influencer.unsubscribe", "bo", "tester", campaign,
                              {"source": "token", "message_id": message_id})]
    # The one-click endpoint may be hit twice: the second time is not an error.
    assert run(db_path, "unsubscribe", "--token", token).stdout == (
        "bo was already unsubscribed; nothing changed.\n")
    assert len(events(store)) == 1


@pytest.mark.parametrize("token", ["0123456789abcdef", "not a token", "<x@y>", "%40", ""])
def test_an_unknown_token_is_one_sentence(store: Store, db_path: Path, people: dict[str, int],
                                          token: str) -> None:
    send(store, people["ana"])
    assert_user_error(run(db_path, "unsubscribe", "--token", token),
                      "No message of ours has the unsubscribe token")
    assert unsubscribed(store) == {"ana": 0, "bo": 0, "cy": 0}


def test_a_token_prefix_names_no_message(store: Store, db_path: Path, people: dict[str, int]) -> None:
    """The token is the whole local part: a prefix of it matches nothing."""
    token = unsubscribe_token(send(store, people["ana"]))
    assert_user_error(run(db_path, "unsubscribe", "--token", token[:-1]), "No message of ours")
    assert unsubscribed(store)["ana"] == 0


def test_a_viewer_may_not_unsubscribe(store: Store, db_path: Path, people: dict[str, int],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    token = unsubscribe_token(send(store, people["ana"]))
    run(db_path, "unsubscribe", "bo")
    monkeypatch.setenv("CALLSHEET_USER", "visitor")
    for args in (("unsubscribe", "ana"), ("unsubscribe", "--token", token), ("resubscribe", "bo")):
        assert_user_error(run(db_path, *args), "visitor is a viewer and may not edit influencers")
    assert unsubscribed(store) == {"ana": 0, "bo": 1, "cy": 0}


def test_sync_json_reports_unsubscribes(store: Store, db_path: Path, people: dict[str, int],
                                        imap_account: ImapAccount) -> None:
    sent = send(store, people["cy"])
    append(imap_account,
           raw_mail("ana@mail.example", subject="Unsubscribe", message_id="<u1@mail.example>"),
           raw_mail("bo@mail.example", subject="Re: Our casting call", message_id="<r1@mail.example>",
                    body="Please unsubscribe me from the newsletter.", in_reply_to=sent),
           raw_mail("cy.other@else.example", subject=f"unsubscribe {unsubscribe_token(sent)}",
                    message_id="<u2@else.example>"))
    report = run_json(db_path, "sync")
    assert {key: report[key] for key in ("fetched", "matched", "unmatched", "bounces", "unsubscribes",
                                         "duplicates", "malformed", "reconnects")} == {
        "fetched": 3, "matched": 1, "unmatched": 0, "bounces": 0, "unsubscribes": 2, "duplicates": 0,
        "malformed": 0, "reconnects": 0}
    assert unsubscribed(store) == {"ana": 1, "bo": 0, "cy": 1}
    history = run_json(db_path, "history", "ana")
    assert [(e["direction"], e["kind"]) for e in history if e.get("direction")] == [("in", "unsubscribe")]
    plain = run(db_path, "sync")
    assert plain.exit_code == 0 and "0 unsubscribes" in plain.stdout
