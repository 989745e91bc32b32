"""IMAP settings: the URL contract of SPEC §8, passwords from the environment or a command."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailer.imap.config import load, parse_url
from store.errors import UserError


@pytest.mark.parametrize(("url", "expected"), [
    ("imap://ana%40brand.example@127.0.0.1:1143?tls=none", ("127.0.0.1", 1143, "ana@brand.example", "none")),
    ("imap://ana@mail.brand.example?tls=starttls", ("mail.brand.example", 143, "ana", "starttls")),
    ("imap://ana@mail.brand.example:993", ("mail.brand.example", 993, "ana", "tls")),
    ("imaps://ana@mail.brand.example", ("mail.brand.example", 993, "ana", "tls")),
    ("imap://ana@mail.brand.example", ("mail.brand.example", 143, "ana", "starttls")),
    ("imap://ana@localhost:143?tls=none", ("localhost", 143, "ana", "none")),
])
def test_urls(url: str, expected: tuple) -> None:
    assert parse_url(url) == expected


@pytest.mark.parametrize(("url", "fragment"), [
    ("imap://ana@mail.brand.example?tls=none", "only allowed on loopback"),
    ("imap://ana:hunter2@127.0.0.1?tls=none", "not in the URL"),
    ("smtp://ana@127.0.0.1", "must start with imap://"),
    ("imap://127.0.0.1", "needs a user and a host"),
    ("imap://ana@127.0.0.1?tls=maybe", "tls=maybe is not one of"),
    ("imap://ana@127.0.0.1:99999", "invalid port"),
])
def test_bad_urls_are_one_sentence(url: str, fragment: str) -> None:
    with pytest.raises(UserError, match=fragment) as caught:
        parse_url(url)
    assert "hunter2" not in str(caught.value)


def test_environment_overrides_the_config_file(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[imap]\nurl = "imap://file@127.0.0.1:1?tls=none"\nfolders = ["INBOX", "Replies"]\n')
    settings = load({"CALLSHEET_IMAP_URL": "imap://env@127.0.0.1:2?tls=none",
                     "CALLSHEET_IMAP_PASSWORD": "pw"}, config)
    assert (settings.user, settings.port, settings.folders) == ("env", 2, ("INBOX", "Replies"))
    assert "pw" not in repr(settings)


def test_password_command(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    url = 'url = "imap://ana@127.0.0.1?tls=none"\n'
    config.write_text(f'[imap]\n{url}password_command = "printf \'s3cret\\\\nx\'"\n')
    assert load({}, config).password == "s3cret"
    config.write_text('[imap]\nurl = "imap://ana@127.0.0.1?tls=none"\npassword_command = "exit 3"\n')
    with pytest.raises(UserError, match="status 3"):
        load({}, config)


@pytest.mark.parametrize(("text", "fragment"), [
    ("", "IMAP is not configured"),
    ('[imap]\nurl = "imap://ana@127.0.0.1?tls=none"\n', "No IMAP password"),
    ("[imap\n", "not valid TOML"),
    ('[imap]\nurl = "imap://ana@127.0.0.1?tls=none"\nfolders = "INBOX"\n', "folders must be a list"),
])
def test_incomplete_config_is_one_sentence(tmp_path: Path, text: str, fragment: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text(text)
    env = {"CALLSHEET_IMAP_PASSWORD": "pw"} if "folders" in text else {}
    with pytest.raises(UserError, match=fragment):
        load(env, config)
