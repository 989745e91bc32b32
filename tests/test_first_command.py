"""A new operator's first command, refused: one sentence and no workspace left behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_helpers import assert_user_error, run


def _files(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


@pytest.mark.parametrize(("args", "sentence"), [
    (("campaign", "create", "Spring", "--sender", "nobody"), "must contain exactly one @"),
    (("import", "influencers", "missing.csv"), "missing.csv does not exist"),
    (("campaign", "create", "Spring", "--sender", "a@brand.example", "--closes", "2026-13-01"),
     "is not a date"),
])
def test_a_refused_first_command_leaves_no_workspace(db_path: Path, args: tuple[str, ...],
                                                     sentence: str) -> None:
    assert_user_error(run(db_path, *args), sentence)
    assert not db_path.exists() and _files(db_path.parent) == []
    # The next command finds none, as before the mistake, and the right one then makes it.
    assert_user_error(run(db_path, "status", "Spring"), "There is no workspace at")
    made = run(db_path, "campaign", "create", "Spring", "--sender", "a@brand.example")
    assert made.exit_code == 0, made.output
    assert db_path.exists()


def test_a_refused_command_on_an_existing_workspace_keeps_it(db_path: Path) -> None:
    assert run(db_path, "campaign", "create", "Spring", "--sender", "a@brand.example").exit_code == 0
    assert_user_error(run(db_path, "campaign", "create", "Spring", "--sender", "a@brand.example"),
                      "already exists")
    assert db_path.exists()
    assert "Spring" in run(db_path, "campaign", "list").stdout
