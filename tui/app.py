"""The callsheet App: three modes (Pipeline, Inbox, Moderation), help and the palette."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from zoneinfo import ZoneInfo

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from store.clock import Clock
from store.db import Store
from tui.dispatch_worker import AppDispatcher, DispatchProgressed, DispatchTrouble, status_line
from tui.screens.help import HelpScreen
from tui.screens.inbox import InboxScreen
from tui.screens.moderation import ModerationScreen
from tui.screens.outbox import OutboxScreen
from tui.screens.pipeline import PipelineScreen

MODE_TITLES = {"pipeline": "Pipeline", "inbox": "Inbox", "moderation": "Moderation", "outbox": "Outbox"}


class CallsheetApp(App[None]):
    """The app; every input is explicit so the CLI, the demo and tests build it alike."""

    CSS_PATH = "app.tcss"
    TITLE = "callsheet"
    ENABLE_COMMAND_PALETTE = True
    MODES = {"pipeline": PipelineScreen, "inbox": InboxScreen, "moderation": ModerationScreen,
             "outbox": OutboxScreen}
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

    def __init__(self, store: Store, *, local_zone: str | None = None) -> None:
        super().__init__()
        self.store = store
        self.clock: Clock = store.clock
        self.local_zone = ZoneInfo(local_zone) if local_zone else None
        self.dispatch = AppDispatcher(self)

    def on_mount(self) -> None:
        self.sub_title = self.workspace_line()
        self.run_worker(self.dispatch.run, thread=True, group="dispatch", exit_on_error=False)

    def on_unmount(self) -> None:
        self.dispatch.request_stop()

    def wake_dispatcher(self) -> None:
        self.dispatch.wake()

    def on_dispatch_progressed(self, message: DispatchProgressed) -> None:
        line = status_line(message.progress)
        self.sub_title = f"{self.workspace_line()} · {line}" if line else self.workspace_line()

    def on_dispatch_trouble(self, message: DispatchTrouble) -> None:
        self.notify(message.sentence, severity="error", timeout=10)

    def workspace_line(self) -> str:
        """The header's sub-title: which file, and what time the one clock says it is."""
        now = self.clock.now()
        shown = now.astimezone(self.local_zone) if self.local_zone else now
        suffix = " (pinned)" if self.clock.is_pinned else ""
        return f"{self.store.path.name} · {shown:%a %d %b %Y %H:%M %Z}{suffix}"

    def action_help(self) -> None:
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


def make_app(store: Store, *, local_zone: str | None = None) -> CallsheetApp:
    """Build the app for a store (the CLI, the demo and the tests all come through here)."""
    return CallsheetApp(store, local_zone=local_zone)
