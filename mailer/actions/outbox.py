"""What a person does to the outbox: send what is due now, retry a message, cancel one."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from mailer.actions.outcome import Outcome, acting, permit, woke
from mailer.config import Config, load_config
from mailer.dispatch.dispatcher import Dispatcher, ProgressCallback
from mailer.dispatch.progress import DispatchReport
from store.db import Store
from store.outbox.admin import cancel_message, retry_message
from store.outbox.claims import due_count


@dataclass(frozen=True, kw_only=True)
class Dispatched(Outcome):
    """A run of the sender until nothing was due; `report` has its counts and paused campaigns."""

    report: DispatchReport


@dataclass(frozen=True, kw_only=True)
class Retried(Outcome):
    message_id: int
    paused_campaign: str | None  # the message waits for this campaign's resume


@dataclass(frozen=True, kw_only=True)
class Cancelled(Outcome):
    message_id: int


def send_due(store: Store, config: Config | None = None, *, until_empty: bool = False,
             progress: ProgressCallback | None = None) -> Dispatched:
    """Send the mail due now (and, `until_empty`, what falls due meanwhile) in the foreground.

    The role is checked before the config file is read (a viewer hears it may not dispatch).
    """
    permit(store, "dispatch")
    config = config or load_config()
    due = due_count(store.reader(), store.now_iso())
    if due == 0 and config.smtp is None:
        report = DispatchReport()  # nothing to send: no SMTP settings needed
    else:
        dispatcher = Dispatcher(store, config)
        report = asyncio.run(dispatcher.run_until_empty(progress, limit=None if until_empty else due))
    sentence = (f"Sent {report.sent:,}, deferred {report.deferred:,}, failed {report.failed:,}, "
                f"skipped {report.skipped:,}.")
    return Dispatched(sentence=sentence, warning=not report.ok, report=report)


def retry(store: Store, message_id: int) -> Retried:
    """Make a failed or deferred message due now; the app's sender wakes for it."""
    with acting(store, "write_message") as db:
        paused = retry_message(db, message_id, store.now_iso(), actor=store.actor)
    if paused:
        sentence = (f"Message #{message_id} is queued; it waits while {paused} is paused "
                    f"(`callsheet campaign resume {paused}` sends it).")
    else:
        sentence = f"Message #{message_id} is queued to be sent now."
    return woke(store, Retried(sentence=sentence, message_id=message_id, paused_campaign=paused),
                0 if paused else 1)


def cancel(store: Store, message_id: int) -> Cancelled:
    """Make sure a message that has not gone out never does."""
    with acting(store, "write_message") as db:
        cancel_message(db, message_id, store.now_iso(), actor=store.actor)
    return Cancelled(sentence=f"Message #{message_id} is cancelled and will not be sent.",
                     message_id=message_id)
