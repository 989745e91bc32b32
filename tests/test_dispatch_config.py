"""R16 and SPEC §8: the config file, CALLSHEET_SMTP_URL, and a password that never leaks."""

from __future__ import annotations

import pytest

from mailer.config import load_config
from mailer.secret import Secret
from store.errors import UserError
from tests.cli_helpers import assert_user_error, run, run_json
from tests.dispatch_helpers import Sink, ThreadedSink, add_campaign, queue, statuses, write_config

PASSWORD = "s3cret-Pa55word-xyzzy"


def test_url_with_an_encoded_user_and_defaults(monkeypatch) -> None:
    monkeypatch.setenv("CALLSHEET_SMTP_URL", "smtp://casting%40brand.example@mail.brand.example:2525")
    monkeypatch.setenv("CALLSHEET_SMTP_PASSWORD", PASSWORD)
    smtp = load_config().smtp
    assert (smtp.host, smtp.port, smtp.user, smtp.tls) == (
        "mail.brand.example", 2525, "casting@brand.example", "starttls")
    assert smtp.password.reveal() == PASSWORD
    assert PASSWORD not in repr(load_config())


@pytest.mark.parametrize(("url", "port", "tls"), [
    ("smtp://mail.example.com?tls=tls", 465, "tls"),
    ("smtps://mail.example.com", 465, "tls"),
    ("smtp://mail.example.com?tls=starttls", 587, "starttls"),
    ("smtp://127.0.0.1:2525?tls=none", 2525, "none"),
])
def test_ports_follow_the_tls_mode(monkeypatch, url, port, tls) -> None:
    monkeypatch.setenv("CALLSHEET_SMTP_URL", url)
    smtp = load_config().smtp
    assert (smtp.port, smtp.tls) == (port, tls)


@pytest.mark.parametrize(("url", "fragment"), [
    ("http://mail.example.com", "must look like smtp://"),
    ("smtp://mail.example.com?tls=maybe", "tls must be one of"),
    ("smtp://user:pw@mail.example.com", "not in the URL"),
    ("smtp://mail.example.com?timeout=3", "Unknown option 'timeout'"),
    ("smtp://mail.example.com:99999", "port"),
])
def test_bad_urls_are_one_sentence(monkeypatch, url, fragment) -> None:
    monkeypatch.setenv("CALLSHEET_SMTP_URL", url)
    with pytest.raises(UserError, match=fragment):
        load_config()


def test_credentials_are_never_sent_in_clear_to_a_remote_host(monkeypatch) -> None:
    monkeypatch.setenv("CALLSHEET_SMTP_URL", "smtp://team@mail.example.com:25?tls=none")
    monkeypatch.setenv("CALLSHEET_SMTP_PASSWORD", PASSWORD)
    with pytest.raises(UserError, match="unencrypted to mail.example.com") as caught:
        load_config()
    assert PASSWORD not in str(caught.value)
    monkeypatch.setenv("CALLSHEET_SMTP_URL", "smtp://team@[::1]:25?tls=none")
    assert load_config().smtp.user == "team"


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604])
def test_a_readable_file_with_a_password_is_refused(mode) -> None:
    path = write_config(f'[smtp]\nurl = "smtp://team@mail.example.com"\npassword = "{PASSWORD}"\n', mode)
    with pytest.raises(UserError, match="chmod 600") as caught:
        load_config()
    assert str(path) in str(caught.value) and PASSWORD not in str(caught.value)


def test_a_readable_file_without_secrets_is_fine_and_0600_may_hold_one() -> None:
    write_config('[smtp]\nurl = "smtp://team@mail.example.com"\npassword_command = "echo x"\n', 0o644)
    assert load_config().smtp.host == "mail.example.com"
    write_config(f'[smtp]\nurl = "smtp://team@mail.example.com"\npassword = "{PASSWORD}"\n', 0o600)
    assert load_config().smtp.password == Secret(PASSWORD)


def test_password_command_is_run_and_its_failure_is_one_sentence() -> None:
    write_config(f'[smtp]\nurl = "smtp://team@mail.example.com"\npassword_command = "echo {PASSWORD}"\n')
    assert load_config().smtp.password.reveal() == PASSWORD
    write_config('[smtp]\nurl = "smtp://team@mail.example.com"\npassword_command = "exit 3"\n')
    with pytest.raises(UserError, match="status 3"):
        load_config()


@pytest.mark.parametrize(("text", "fragment"), [
    ("[smtp\n", "not valid TOML"),
    ("[smtp]\nhost = 'x'\nspeed = 3\n", "Unknown setting 'speed'"),
    ("[dispatch]\nrate_per_minute = 'fast'\n", "wrong type"),
    ("[dispatch]\nunsubscribe_url = 'http://x.example/u'\n", "https://"),
    ("[dispatch]\nunsubscribe_mailto = 'not an address'\n", "unsubscribe_mailto"),
    ("[dispatch]\nbackoff_min = -1\n", "cannot be negative"),
])
def test_bad_config_files_are_one_sentence(text, fragment) -> None:
    write_config(text)
    with pytest.raises(UserError, match=fragment):
        load_config()


def test_dispatch_refuses_a_readable_secret_and_sends_nothing(store, db_path) -> None:
    add_campaign(store)
    queue(store, 2)
    with ThreadedSink() as sink:
        write_config(f'[smtp]\nurl = "smtp://team@127.0.0.1:{sink.port}?tls=none"\n'
                     f'password = "{PASSWORD}"\n', 0o644)
        result = run(db_path, "dispatch")
    assert_user_error(result, "chmod 600")
    assert sink.received == [] and statuses(store) == {"queued": 2}


def test_the_password_is_nowhere_in_the_database_files_or_logs(store, db_path, tmp_path) -> None:
    add_campaign(store)
    queue(store, 3)
    with ThreadedSink(Sink(password=PASSWORD)) as sink:
        write_config(f'[smtp]\nurl = "smtp://team@127.0.0.1:{sink.port}?tls=none"\n'
                     f'password_command = "printf {PASSWORD}"\n', 0o644)
        report = run_json(db_path, "dispatch")
        assert report["sent"] == 3
        assert set(sink.logins) == {("team", PASSWORD)}
        queue(store, 1, prefix="later")
        write_config(f'[smtp]\nurl = "smtp://team@127.0.0.1:{sink.port}?tls=none"\n'
                     f'password_command = "printf wrong-{PASSWORD}"\n', 0o644)
        failed = run(db_path, "dispatch")
    assert_user_error(failed, "SMTP authentication failed: 535")
    assert PASSWORD not in failed.output + failed.stderr
    secret = PASSWORD.encode()
    for path in tmp_path.rglob("*"):
        if path.is_file() and path.name != "config.toml":
            assert secret not in path.read_bytes(), path


@pytest.mark.parametrize("mode", [0o666, 0o620, 0o602])
def test_a_config_file_others_may_change_is_refused_whatever_it_holds(mode, tmp_path) -> None:
    from mailer.imap import config as imap_config

    ran = tmp_path / "ran"
    text = (f'[smtp]\nurl = "smtp://team@mail.example.com"\npassword_command = "touch {ran}; echo x"\n'
            f'[imap]\nurl = "imap://team@127.0.0.1?tls=none"\npassword_command = "touch {ran}; echo x"\n')
    for document in (text, "[dispatch]\nrate_per_minute = 5\n"):
        path = write_config(document, mode)
        for load in (load_config, imap_config.load):
            with pytest.raises(UserError) as caught:
                load()
            assert caught.value.sentence == (
                f"The config file {path} can be changed by others (mode {mode:04o}), so it is not used; "
                f"run chmod 600 {path}.")
    assert not ran.exists(), "the password_command of a file others may change never runs"


def test_dispatch_and_sync_refuse_a_group_writable_config(store, db_path) -> None:
    queue(store, 1)
    write_config('[smtp]\nurl = "smtp://team@127.0.0.1:9?tls=none"\npassword_command = "echo x"\n'
                 '[imap]\nurl = "imap://team@127.0.0.1:9?tls=none"\npassword_command = "echo x"\n', 0o620)
    for command in ("dispatch", "sync"):
        assert_user_error(run(db_path, command), "can be changed by others (mode 0620)")
    assert statuses(store) == {"queued": 1}
