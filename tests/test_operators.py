"""Operators and who may act as whom: the last manager, and `CALLSHEET_USER`."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from store import operators
from tests.cli_helpers import assert_user_error, run, run_json


def _roles(db_path: Path) -> dict[str, str]:
    return {row["login"]: row["role"] for row in run_json(db_path, "operator", "list")}


def test_the_last_manager_cannot_demote_itself_or_be_removed(store, db_path, monkeypatch) -> None:
    for args in (("add", "tester", "--role", "evaluator"), ("remove", "tester")):
        assert_user_error(run(db_path, "operator", *args),
                          "tester is the last manager; make another operator a manager first")
    assert _roles(db_path) == {"tester": "manager"}
    assert run(db_path, "operator", "add", "mia", "--role", "manager").exit_code == 0
    assert run(db_path, "operator", "add", "tester", "--role", "viewer").exit_code == 0
    monkeypatch.setenv("CALLSHEET_USER", "mia")
    assert_user_error(run(db_path, "operator", "remove", "mia"), "mia is the last manager")
    assert _roles(db_path) == {"tester": "viewer", "mia": "manager"}


def test_remove_makes_an_operator_a_viewer_and_is_audited(store, db_path, monkeypatch) -> None:
    run(db_path, "operator", "add", "eve", "--role", "evaluator")
    removed = run(db_path, "operator", "remove", "eve")
    assert removed.stdout == "eve is no longer an operator (a viewer from now on).\n"
    assert _roles(db_path) == {"tester": "manager"}
    assert_user_error(run(db_path, "operator", "remove", "eve"), "There is no operator 'eve'.")
    events = [(e["actor"], e["action"], e["detail"]["login"]) for e in run_json(db_path, "audit")
              if e["action"].startswith("operator.")]
    assert events == [("tester", "operator.add", "eve"), ("tester", "operator.remove", "eve")]


def _evaluator_os_login(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A workspace whose manager is `boss` and where the real OS login is only an evaluator."""
    real = operators.real_login()
    monkeypatch.setenv("CALLSHEET_USER", "boss")
    assert run(db_path, "operator", "add", real, "--role", "evaluator").exit_code == 0
    return real


def test_an_evaluator_login_may_not_act_as_the_manager(db_path, monkeypatch) -> None:
    real = _evaluator_os_login(db_path, monkeypatch)
    refused = run(db_path, "operator", "add", real, "--role", "manager")
    assert_user_error(refused, f"{real} is an evaluator and may not act as boss (CALLSHEET_USER); "
                               "only a manager may act as another operator.")
    monkeypatch.delenv("CALLSHEET_USER")
    assert _roles(db_path) == {"boss": "manager", real: "evaluator"}
    assert_user_error(run(db_path, "operator", "add", "x", "--role", "manager"),
                      f"{real} is an evaluator and may not manage operators.")


def test_logname_does_not_make_anyone_someone_else(db_path, monkeypatch) -> None:
    real = _evaluator_os_login(db_path, monkeypatch)
    monkeypatch.delenv("CALLSHEET_USER")
    for name in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        monkeypatch.setenv(name, "boss")
    assert_user_error(run(db_path, "campaign", "create", "Glow"),
                      f"{real} is an evaluator and may not manage campaigns.")


def test_a_manager_login_may_act_as_anyone(db_path, monkeypatch) -> None:
    real = operators.real_login()
    monkeypatch.delenv("CALLSHEET_USER")
    run(db_path, "operator", "add", "eve", "--role", "evaluator")
    assert _roles(db_path) == {real: "manager", "eve": "evaluator"}
    monkeypatch.setenv("CALLSHEET_USER", "eve")
    assert_user_error(run(db_path, "campaign", "create", "Glow"), "eve is an evaluator")


def test_a_workspace_with_another_persons_account_is_not_single_user(store, db_path, monkeypatch) -> None:
    other = "daemon" if _account("daemon") else pytest.skip("no second account on this host")
    run(db_path, "operator", "add", other, "--role", "viewer")
    refused = run(db_path, "operator", "list")
    assert_user_error(refused, "may not act as tester (CALLSHEET_USER)")


@pytest.mark.skipif(os.getuid() != 0, reason="giving a file to someone else needs root")
def test_a_file_owned_by_someone_else_is_not_single_user(store, db_path) -> None:
    os.chown(db_path, 65534, 65534)
    assert_user_error(run(db_path, "operator", "list"), "may not act as tester (CALLSHEET_USER)")


def test_acting_as_a_login_that_is_no_operator_reads_as_a_viewer(store, db_path, monkeypatch) -> None:
    run(db_path, "operator", "add", operators.real_login(), "--role", "moderator")
    monkeypatch.setenv("CALLSHEET_USER", "visitor")
    assert run(db_path, "campaign", "list").exit_code == 0
    assert_user_error(run(db_path, "campaign", "create", "Glow"), "visitor is a viewer")


def _account(name: str) -> bool:
    import pwd

    try:
        return pwd.getpwnam(name).pw_uid != os.getuid()
    except KeyError:
        return False
