"""Sending mail: who may send, and the daemon a person starts with `callsheet run`.

The app's own sender runs by itself, so it asks (`may_send`) and stays off rather than
refusing; `run_daemon` refuses a login without the role before anything runs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from mailer.actions.outcome import Outcome, permit
from mailer.daemon import Daemon, DaemonSettings
from store.db import Store

SEND = "dispatch"


@dataclass(frozen=True, kw_only=True)
class DaemonStopped(Outcome):
    """The daemon ran until asked to stop (or for its one pass); its log said what it did."""


def may_send(store: Store) -> bool:
    """Whether this login may send mail: the app's background sender runs only then."""
    return store.may(SEND)


def run_daemon(store: Store, settings: DaemonSettings, *, log: Callable[[str], None],
               stop: threading.Event, once: bool = False) -> DaemonStopped:
    """Plan, send, sync and tidy up until `stop` is set (or once); refused without the sending role."""
    permit(store, SEND)
    Daemon(store, settings, log=log, stop=stop).run(once=once)
    return DaemonStopped(sentence="stopped")
