"""The sending actions: who may send, and the daemon a person starts."""

from __future__ import annotations

import threading

import pytest

from mailer.actions.sending import DaemonStopped, may_send, run_daemon
from mailer.daemon import DaemonSettings
from store.db import Store
from store.errors import UserError


def test_only_a_login_with_the_sending_role_may_send(store: Store) -> None:
    viewer = Store(store.path, store.clock, actor="visitor")
    try:
        assert may_send(store) and not may_send(viewer)
    finally:
        viewer.close()


def test_a_viewer_may_not_start_the_daemon_and_nothing_runs(store: Store) -> None:
    viewer = Store(store.path, store.clock, actor="visitor")
    lines: list[str] = []
    try:
        with pytest.raises(UserError) as refused:
            run_daemon(viewer, DaemonSettings(), log=lines.append, stop=threading.Event(), once=True)
    finally:
        viewer.close()
    assert refused.value.sentence == "visitor is a viewer and may not dispatch email."
    assert lines == []


def test_one_pass_of_the_daemon_logs_its_start_and_stop(store: Store, monkeypatch) -> None:
    monkeypatch.delenv("CALLSHEET_SMTP_URL", raising=False)
    lines: list[str] = []
    stopped = run_daemon(store, DaemonSettings(plan_hour=23), log=lines.append, stop=threading.Event(),
                         once=True)
    assert isinstance(stopped, DaemonStopped)
    assert " start pid " in lines[0] and lines[-1].endswith(" stopped")
