"""`callsheet decide CAMPAIGN HANDLE... DECISION` in another order or misspelt: a sentence that shows how."""

from __future__ import annotations

from pathlib import Path

import pytest

from store import stages
from store.db import Store
from tests.cli_helpers import assert_user_error, run
from tests.pipeline_helpers import add_influencer, make_campaign, stage_of


@pytest.fixture
def spring(store: Store, db_path: Path) -> Store:
    make_campaign(store, "Spring")
    add_influencer(store, "ana")
    assert run(db_path, "apply", "Spring", "ana").exit_code == 0
    return store


def test_a_decision_before_the_handles_is_shown_in_its_place(spring: Store, db_path: Path) -> None:
    result = run(db_path, "decide", "Spring", "accept", "ana", "--yes")
    assert_user_error(result, "The decision comes after the handles: `callsheet decide 'Spring' ana accept`.")
    assert stage_of(spring, "Spring", "ana") == stages.TO_REVIEW


def test_a_misspelt_decision_gets_a_did_you_mean(spring: Store, db_path: Path) -> None:
    assert_user_error(run(db_path, "decide", "Spring", "ana", "acept", "--yes"),
                      "Unknown decision 'acept'; did you mean 'accept'?")
    assert_user_error(run(db_path, "decide", "Spring", "ana", "hire"),
                      "Unknown decision 'hire'; choose one of accept, reject")
    assert stage_of(spring, "Spring", "ana") == stages.TO_REVIEW


def test_the_right_order_still_decides(spring: Store, db_path: Path) -> None:
    result = run(db_path, "decide", "Spring", "ana", "Shortlist")
    assert result.exit_code == 0, result.output
    assert stage_of(spring, "Spring", "ana") == stages.SHORTLISTED
