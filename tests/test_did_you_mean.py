""""Did you mean …?" for a mistyped campaign name, segment or handle, on the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from store.db import Store
from store.suggest import closest, closest_handle
from tests.cli_helpers import assert_user_error, run
from tests.inbox_helpers import add_campaign, add_influencer


@pytest.fixture
def workspace(store: Store) -> Store:
    for handle in ("mia.rossi", "mia.rossi278", "Léa.Moreau", "zoe"):
        add_influencer(store, handle)
    add_campaign(store, "Summer drop")
    add_campaign(store, "Winter launch")
    return store


def test_a_mistyped_campaign_name_gets_the_closest(workspace: Store, db_path: Path) -> None:
    assert_user_error(run(db_path, "campaign", "show", "sumer drop"),
                      "There is no campaign named 'sumer drop'; did you mean 'Summer drop'?")
    assert_user_error(run(db_path, "status", "Nope"), "There is no campaign named 'Nope'.")


def test_a_mistyped_handle_gets_the_closest(workspace: Store, db_path: Path) -> None:
    assert_user_error(run(db_path, "resubscribe", "mia.rosi"),
                      "There is no influencer with the handle 'mia.rosi'; did you mean 'mia.rossi'?")
    assert_user_error(run(db_path, "unsubscribe", "zoe", "lea.moreau", "xavier"),
                      "There are no influencers with the handles 'lea.moreau' (did you mean 'Léa.Moreau'?), "
                      "'xavier'.")
    assert_user_error(run(db_path, "influencer", "edit", "mia.rossi27", "--name", "Mia"),
                      "There is no influencer with the handle 'mia.rossi27'; did you mean 'mia.rossi278', "
                      "or add one with `callsheet influencer add mia.rossi27`.")
    unsubscribed = workspace.writer.execute("SELECT count(*) FROM influencers WHERE unsubscribed").fetchone()
    assert unsubscribed == (0,)


def test_a_mistyped_segment_keeps_its_hint(workspace: Store, db_path: Path) -> None:
    assert run(db_path, "segment", "save", "Big creators", "followers:10k").exit_code == 0
    assert_user_error(run(db_path, "segment", "show", "big creator"),
                      "There is no segment named 'big creator'; did you mean 'Big creators'?")


def test_no_guess_when_nothing_is_close(workspace: Store) -> None:
    db = workspace.reader()
    assert closest_handle(db, "x") is None
    assert closest_handle(db, "@") is None
    assert closest_handle(db, "qqqqq") is None
    assert closest_handle(db, "@MIA.ROSS") == "mia.rossi"
    assert closest("anything", []) is None
    assert closest("WINTER", ["Winter launch", "winter"]) == "winter"
