"""The one way back from a worker: run an action off the UI thread, post what it did.

A screen calls `run_action(self, "key", action, *args)`; the action runs in a thread
worker with the app's store and the screen receives one `ActionFinished` message, past
tense, carrying the action's `Outcome` or the sentence that refused it (a `UserError`).
Anything else is a bug and goes to the App's one error handler, like every worker failure.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, cast

from textual.dom import DOMNode
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.widget import Widget
from textual.worker import Worker

from mailer.actions.outcome import Outcome
from store.db import Store
from store.errors import UserError

REFUSAL_SECONDS = 10.0  # as the App's handler shows a failed worker's sentence


class _HasStore(Protocol):
    store: Store


def app_store(node: DOMNode) -> Store:
    """The store of the app `node` runs in (every callsheet app has exactly one)."""
    return cast(_HasStore, node.app).store


class ActionFinished(Message):
    """An action ran: `outcome` says what it did, or `refusal` why it did nothing."""

    def __init__(self, key: str, outcome: Outcome | None, refusal: str | None) -> None:
        super().__init__()
        self.key, self.outcome, self.refusal = key, outcome, refusal

    @property
    def sentence(self) -> str:
        return self.outcome.sentence if self.outcome is not None else self.refusal or ""

    @property
    def severity(self) -> SeverityLevel:
        if self.outcome is None:
            return "error"
        return "warning" if self.outcome.warning else "information"

    def timeout(self, done: float | None = None) -> float | None:
        """How long to show it: a refusal stays as long as the App's other errors (10 s)."""
        return REFUSAL_SECONDS if self.outcome is None else done


def run_action(widget: Widget, key: str, action: Callable[..., Outcome], *args: Any,
               exclusive: bool = False, **kwargs: Any) -> Worker[None]:
    """Run `action(store, *args, **kwargs)` in a thread; `widget` gets one `ActionFinished(key, …)`."""
    store = app_store(widget)

    def body() -> None:
        try:
            outcome = action(store, *args, **kwargs)
        except UserError as error:
            widget.post_message(ActionFinished(key, None, error.sentence))
            return
        widget.post_message(ActionFinished(key, outcome, None))

    return widget.run_worker(body, thread=True, group=key, exclusive=exclusive, name=key)
