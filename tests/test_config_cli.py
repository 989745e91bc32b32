"""`callsheet config path` and `callsheet config show`: where the settings are and what is in force."""

from __future__ import annotations

import json

import pytest

from mailer.config import config_path
from tests.cli_helpers import assert_user_error, run
from tests.dispatch_helpers import write_config

PASSWORD = "s3cret-Pa55word-xyzzy"


@pytest.fixture(autouse=True)
def _no_test_environment(monkeypatch) -> None:
    """The suite pins the clock and the operator; here they would be listed as settings in force."""
    monkeypatch.delenv("CALLSHEET_NOW", raising=False)
    monkeypatch.delenv("CALLSHEET_USER", raising=False)


def test_path_names_the_file_and_creates_nothing(tmp_path) -> None:
    result = run(tmp_path / "none.db", "config", "path")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(config_path())
    assert not config_path().exists() and not (tmp_path / "none.db").exists()


def test_show_without_a_file_says_the_defaults_are_in_force(tmp_path) -> None:
    result = run(tmp_path / "none.db", "config", "show")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"config file  {config_path()} (missing: every setting at its default)",
        f"database     {tmp_path / 'none.db'}"]
    assert not (tmp_path / "none.db").exists()


def test_show_masks_the_password_and_never_runs_the_password_command(tmp_path) -> None:
    marker = tmp_path / "ran"
    write_config(f'[smtp]\nurl = "smtp://ana%40brand.example@mail.brand.example:587"\n'
                 f'password = "{PASSWORD}"\n[imap]\nurl = "imap://ana@mail.brand.example"\n'
                 f'password_command = "touch {marker}"\nfolders = ["INBOX", "Sent"]\n'
                 f'[dispatch]\nrate_per_minute = 30\n')
    result = run(tmp_path / "x.db", "config", "show")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output and not marker.exists()
    assert result.stdout.splitlines()[2:] == [
        "", "[smtp]", 'url = "smtp://ana%40brand.example@mail.brand.example:587"', "password = ********",
        "", "[imap]", 'url = "imap://ana@mail.brand.example"', f'password_command = "touch {marker}"',
        'folders = ["INBOX", "Sent"]', "", "[dispatch]", "rate_per_minute = 30"]
    assert "(mode 0600)" in result.stdout.splitlines()[0]


def test_the_environment_wins_and_says_so(tmp_path, monkeypatch) -> None:
    write_config('[smtp]\nurl = "smtp://old.example:25?tls=none"\n')
    monkeypatch.setenv("CALLSHEET_SMTP_URL", "smtp://ana@new.example:2525")
    monkeypatch.setenv("CALLSHEET_SMTP_PASSWORD", PASSWORD)
    monkeypatch.setenv("CALLSHEET_NOW", "2026-11-23T18:00:00+01:00")
    result = run(tmp_path / "x.db", "config", "show")
    assert result.exit_code == 0, result.output
    lines = [" ".join(line.split()) for line in result.stdout.splitlines()]
    assert "old.example" not in result.stdout and PASSWORD not in result.output
    assert lines[2:] == [
        "", "[smtp]",
        'url = "smtp://ana@new.example:2525" # from CALLSHEET_SMTP_URL',
        "password = ******** # from CALLSHEET_SMTP_PASSWORD",
        "", "set in the environment:", 'CALLSHEET_NOW = "2026-11-23T18:00:00+01:00"']


def test_json_keeps_the_values_and_masks_the_secret(tmp_path) -> None:
    write_config(f'[smtp]\nhost = "mail.example"\nport = 2525\npipelining = false\npassword = "{PASSWORD}"\n'
                 f'user = "ana"\n')
    result = run(tmp_path / "x.db", "config", "show", "--json")
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert (shown["exists"], shown["mode"], shown["database"]) == (True, "0600", str(tmp_path / "x.db"))
    assert {(s["key"], s["value"]) for s in shown["settings"]} == {
        ("host", "mail.example"), ("port", 2525), ("pipelining", False), ("password", "********"),
        ("user", "ana")}


def test_a_bad_file_is_one_sentence(tmp_path) -> None:
    write_config("[dispatch]\nrate_per_mintue = 30\n")
    assert_user_error(run(tmp_path / "x.db", "config", "show"), "Unknown setting 'rate_per_mintue'")
    write_config("[smtp]\nhost = 'x'\n", mode=0o666)
    assert_user_error(run(tmp_path / "x.db", "config", "show"), "can be changed by others")
    write_config('[imap]\nurl = "imap://ana@mail.example?tls=none"\n')
    assert_user_error(run(tmp_path / "x.db", "config", "show"), "tls=none is only allowed on loopback")


def test_hostile_text_in_the_file_is_shown_escaped(tmp_path) -> None:
    write_config('[web]\npublic_url = "https://casting.example"\n'
                 '[smtp]\nhelo_name = "a\\u001b]0;owned\\u0007b"\n')
    result = run(tmp_path / "x.db", "config", "show")
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert 'helo_name = "a\\u001b]0;owned\\u0007b"' in result.stdout  # as TOML spells it
