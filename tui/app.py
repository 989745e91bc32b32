"""The callsheet App: four modes (Pipeline, Inbox, Moderation, Outbox), help and the palette."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from datetime import tzinfo
from functools import partial
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from rich.text import Text
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.content import Content
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.theme import Theme
from textual.worker import WorkerFailed

from store.clock import Clock
from store.db import Store
from tui import collector, preferences
from tui.dispatch_notices import DispatchNotices
from tui.dispatch_worker import AppDispatcher, DispatchOff, DispatchProgressed, DispatchTrouble, status_line
from tui.errors import app_sentence, where_logged
from tui.reply_watch import RepliesArrived, replies_sentence
from tui.screens.pipeline import PipelineScreen
from tui.screens.pipeline_reads import Opening
from tui.times import machine_zone, shown_at
from tui.visible import visible
from tui.widgets.mode_bar import MODE_TITLES, ModeBar

if TYPE_CHECKING:
    from tui.rehearsal import Rehearsal

NOT_SENT_HERE = "mail is not sent from this login"
REPLY_LOOK_SECONDS = 2.0


def _screen(target: str) -> Callable[[], Screen]:
    """A mode's screen, its module imported the first time the mode opens ("module:class")."""
    def make() -> Screen:
        module, name = target.split(":")
        return getattr(importlib.import_module(module), name)()
    return make


class CallsheetApp(App[None]):
    """The app; every input is explicit so the CLI, the demo and tests build it alike."""

    # The first mode's CSS is read with the app's: read when its screen is installed, it cost a re-parse of
    # every style sheet before the first frame.
    CSS_PATH = ["app.tcss", "screens/pipeline.tcss"]
    TITLE = "callsheet"
    ENABLE_COMMAND_PALETTE = True
    # The first mode's screen is imported with the app; the others when they first open.
    MODES = {"pipeline": PipelineScreen, "inbox": _screen("tui.screens.inbox:InboxScreen"),
             "moderation": _screen("tui.screens.moderation:ModerationScreen"),
             "outbox": _screen("tui.screens.outbox:OutboxScreen")}
    DEFAULT_MODE = "pipeline"
    BINDINGS = [
        Binding("1", "switch_mode('pipeline')", "Pipeline", tooltip="Show the casting pipeline"),
        Binding("2", "switch_mode('inbox')", "Inbox", tooltip="Show conversations"),
        Binding("3", "switch_mode('moderation')", "Moderation", tooltip="Review tomorrow's invitations"),
        Binding("4", "switch_mode('outbox')", "Outbox", show=False,
                tooltip="Mail waiting or failed, with the server's reply"),
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    def __init__(self, store: Store, *, local_zone: str | None = None,
                 rehearsal: Rehearsal | None = None) -> None:
        collector.hold()  # until the first frame: `settle` after it
        super().__init__()
        self.store: Store = store
        self.rehearsal = rehearsal  # the demo: every header says so, and where its mail goes
        self.clock: Clock = store.clock
        # Times read in the zone asked for, else the machine's (the tests pin TZ=UTC).
        self.local_zone: tzinfo = ZoneInfo(local_zone) if local_zone else machine_zone()
        self.dispatch = AppDispatcher(self)
        self._dispatch_notices = DispatchNotices()
        # The first mode's rows are read while Textual starts; the Pipeline takes them when it mounts.
        self._opening: Opening | None = Opening(store)
        store.on_mail_queued(self.wake_dispatcher)  # actions wake it from their worker threads
        self._stop_sentence = "callsheet stopped on an unexpected error."
        self.sub_title = self.workspace_line()  # before the first frame: the header is whole from the start

    def on_mount(self) -> None:
        saved = preferences.load().get("theme")
        if saved in self.available_themes:
            self.theme = saved
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        self._replies_seen: int | None = None  # the newest message id looked at; None before the first look
        self.call_after_refresh(self._look_for_replies)  # the first look only sets the mark
        self.set_interval(REPLY_LOOK_SECONDS, self._look_for_replies)
        # Sending starts once the first frame is up: its modules load off the way to the first rows.
        self.call_after_refresh(self.run_worker, self.dispatch.run, thread=True, group="dispatch")
        self.call_after_refresh(collector.settle)  # no full collection under the operator's keys

    def take_opening(self) -> Opening | None:
        """The start-up read of the first mode, once (a later Pipeline screen reads for itself)."""
        opening, self._opening = self._opening, None
        return opening

    def format_title(self, title: str, sub_title: str) -> Content:
        return self.title_for(self.current_mode, title, sub_title)

    def title_for(self, mode_key: str, title: str, sub_title: str, width: int | None = None) -> Content:
        """The header of a mode's screen names that mode ("callsheet · Inbox — demo.db · …"): each
        mode's screens have their own header (`tui.widgets.mode_header`), right however the operator
        got there. A rehearsal's says so in the `width` cells the header has."""
        mode = MODE_TITLES.get(mode_key)
        if mode is None or title != self.title:
            return super().format_title(title, sub_title)
        named = Content.assemble(title, " · ", (mode, "bold"))
        if self.rehearsal is not None:
            room = None if width is None else width - named.cell_length - len(" — ")
            sub_title = self.rehearsal.sub_title(sub_title, room)
        if not sub_title:
            return named
        return Content.assemble(named, (" — ", "dim"), Content(sub_title).stylize("dim"))

    def _look_for_replies(self) -> None:
        self.run_worker(partial(self._replies_since, self._replies_seen), thread=True, exclusive=True,
                        group="replies")

    def _replies_since(self, seen: int | None) -> None:
        from store.inbox import replies_since

        newest, handles = replies_since(self.store.reader(), seen)
        self.post_message(RepliesArrived(newest, handles))

    def on_replies_arrived(self, message: RepliesArrived) -> None:
        """A toast when replies came in since the last look, whichever process synced them."""
        if message.handles:
            self.notify(replies_sentence(message.handles), title="Inbox", timeout=8)
        self._replies_seen = max(message.newest, self._replies_seen or 0)

    def _remember_theme(self, theme: Theme) -> None:
        """The theme chosen in the palette is the one the next run opens with."""
        if preferences.load().get("theme") != theme.name:
            preferences.save(theme=theme.name)

    def on_unmount(self) -> None:
        self.dispatch.request_stop()
        collector.release()

    def wake_dispatcher(self) -> None:
        self.dispatch.wake()

    def on_dispatch_progressed(self, message: DispatchProgressed) -> None:
        line = status_line(message.progress)
        self.sub_title = f"{self.workspace_line()} · {visible(line)}" if line else self.workspace_line()
        for title, sentence in self._dispatch_notices.news(message.progress):  # a failure, a pause
            self.notify(sentence, title=title, severity="error", timeout=10)

    def on_dispatch_off(self, message: DispatchOff) -> None:
        self.sub_title = f"{self.workspace_line()} · {NOT_SENT_HERE}"

    def on_mode_bar_chosen(self, message: ModeBar.Chosen) -> None:
        """A click on a tab: that mode, as its key would."""
        if message.mode != self.current_mode:
            self.switch_mode(message.mode)

    def on_dispatch_trouble(self, message: DispatchTrouble) -> None:
        self.notify(message.sentence, severity="error", timeout=10)

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = False) -> None:
        """Every notification is plain text: sentences carry names and server replies, never markup."""
        super().notify(visible(message, lines=True), title=visible(title), severity=severity,
                       timeout=timeout, markup=False)

    def _handle_exception(self, error: Exception) -> None:
        """The one handler: a failed worker becomes one notification and the app goes on;
        anything else is logged to errors.log before Textual stops the app."""
        if isinstance(error, WorkerFailed) and isinstance(error.error, Exception):
            self.notify(app_sentence(error.error), severity="error", timeout=10)
            return
        logged = where_logged(error)
        self._stop_sentence = f"callsheet stopped on an unexpected {type(error).__name__}; {logged}."
        super()._handle_exception(error)

    def _fatal_error(self) -> None:
        """On the way out the terminal gets one sentence; the traceback is in errors.log."""
        self.bell()
        self._exit_renderables.append(Text(self._stop_sentence))
        self._close_messages_no_wait()

    def workspace_line(self) -> str:
        """The header's sub-title: which file, and what time the one clock says it is."""
        now = self.clock.now()
        suffix = " (pinned)" if self.clock.is_pinned else ""
        return f"{visible(self.store.path.name)} · {shown_at(now, self.local_zone, named=True)}{suffix}"

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen  # loaded on the first `?`, not on the way to the first rows

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.binding_rows(self.screen)))

    def binding_rows(self, screen: Screen) -> list[tuple[str, str, str]]:
        """(key, description, where) for every binding of the app and the given screen."""
        rows: list[tuple[str, str, str]] = []
        for node in (screen, self):
            where = "everywhere" if node is self else MODE_TITLES.get(self.current_mode, "screen")
            rows.extend((binding.key_display or key, binding.description, where)
                        for key, binding in described_bindings(node))
        return rows

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for mode, title in MODE_TITLES.items():
            yield SystemCommand(f"Go to {title}", f"Switch to the {title} mode",
                                partial(self.switch_mode, mode))
        yield SystemCommand("Help", "List every key binding", self.action_help)
        for key, binding in described_bindings(screen):
            if binding.show:
                yield SystemCommand(binding.description, f"key: {binding.key_display or key}",
                                    partial(screen.run_action, binding.action))


def described_bindings(node: App | Screen) -> list[tuple[str, Binding]]:
    """A node's bindings that have a description, once each: `space,t` is one binding for two keys."""
    seen: set[tuple[str, str]] = set()
    unique = []
    for key, binding in node._bindings:
        if binding.description and (binding.action, binding.description) not in seen:
            seen.add((binding.action, binding.description))
            unique.append((key, binding))
    return unique


def make_app(store: Store, *, local_zone: str | None = None,
             rehearsal: Rehearsal | None = None) -> CallsheetApp:
    """Build the app for a store (the CLI, the demo and the tests all come through here)."""
    return CallsheetApp(store, local_zone=local_zone, rehearsal=rehearsal)
