"""Fixtures for a real Dovecot: one instance per test session (per xdist worker), one user per test.

Register with `pytest_plugins = ["tests.conftest_dovecot"]` in the test module. Where
`CI` is set, a missing dovecot binary fails the test instead of skipping it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.dovecot import Dovecot, ImapAccount, find_dovecot


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    binary = find_dovecot()
    if binary is None:
        message = "dovecot is not installed (apt-get install -y dovecot-imapd)"
        if os.environ.get("CI"):
            pytest.fail(f"CI is set and {message}")
        pytest.skip(message)
    server = Dovecot(binary)
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture
def imap_account(dovecot: Dovecot, monkeypatch: pytest.MonkeyPatch) -> ImapAccount:
    """An empty mailbox, with `CALLSHEET_IMAP_URL` and `CALLSHEET_IMAP_PASSWORD` pointing at it."""
    account = ImapAccount(dovecot, dovecot.new_user())
    monkeypatch.setenv("CALLSHEET_IMAP_URL", account.url)
    monkeypatch.setenv("CALLSHEET_IMAP_PASSWORD", account.password)
    return account
