"""The app's own dispatcher: mailer's `run_forever` on a thread and event loop of its own.

It reports through messages: a newer `DispatchProgressed` replaces one still queued, so
the status line is one message that keeps changing, not one per email.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from textual.app import App
from textual.message import Message

from store.errors import UserError
from tui.action_worker import app_store

if TYPE_CHECKING:  # imported by the worker when it runs: not on the app's way to its first frame
    from mailer.config import Config
    from mailer.dispatch.dispatcher import Dispatcher
    from mailer.dispatch.progress import DispatchProgress


class DispatchProgressed(Message):
    """The dispatcher's latest snapshot."""

    def __init__(self, progress: DispatchProgress) -> None:
        super().__init__()
        self.progress = progress

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, DispatchProgressed)


class DispatchOff(Message):
    """This login may not send mail, so the app's dispatcher does not run; the header says so."""


class DispatchTrouble(Message):
    """The dispatcher cannot run or had to stop; one sentence for the operator."""

    def __init__(self, sentence: str) -> None:
        super().__init__()
        self.sentence = sentence


def status_line(progress: DispatchProgress) -> str | None:
    """What the header shows: nothing until some mail moved or something is wrong."""
    if progress.state in ("sending", "waiting", "halted"):
        return progress.line()
    if not progress.done:
        return None
    # At rest the counts are what matters, in words: "5 sent this session", not "idle 5/5".
    parts = [f"{progress.sent:,} sent this session" if progress.sent else "nothing sent this session"]
    parts += [f"{count:,} {what}" for count, what in ((progress.deferred, "deferred"),
                                                      (progress.failed, "failed"),
                                                      (progress.skipped, "skipped")) if count]
    return " · ".join(parts)


class AppDispatcher:
    """Runs a Dispatcher for the app until asked to stop; safe to poke from the UI thread."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.loop: asyncio.AbstractEventLoop | None = None
        self.stop_event: asyncio.Event | None = None
        self.dispatcher: Dispatcher | None = None
        self.stopping = False

    def run(self) -> None:
        """The body of the app's thread worker."""
        from mailer.actions.sending import may_send
        from mailer.config import load_config

        if not may_send(app_store(self.app)):
            self.app.post_message(DispatchOff())
            return
        try:
            config = load_config()
        except UserError as error:
            self.app.post_message(DispatchTrouble(f"Mail is not being sent: {error.sentence}"))
            return
        if config.smtp is None:
            return
        asyncio.run(self._main(config))

    async def _main(self, config: Config) -> None:
        from mailer.dispatch.dispatcher import Dispatcher

        self.dispatcher = Dispatcher(app_store(self.app), config)
        self.stop_event = asyncio.Event()
        self.loop = asyncio.get_running_loop()
        if self.stopping:  # the app closed while the config was being read
            self.stop_event.set()
        report = await self.dispatcher.run_forever(self.stop_event, self._progress)
        if report.halted:
            self.app.post_message(DispatchTrouble(f"Mail stopped: {report.halted}"))

    def _progress(self, progress: DispatchProgress) -> None:
        self.app.post_message(DispatchProgressed(progress))

    def wake(self) -> None:
        """New or retried mail: look now rather than at the next poll."""
        if self.loop is not None and self.dispatcher is not None:
            self.loop.call_soon_threadsafe(self.dispatcher.wake)

    def request_stop(self) -> None:
        self.stopping = True
        if self.loop is not None and self.stop_event is not None:
            self.loop.call_soon_threadsafe(self.stop_event.set)
