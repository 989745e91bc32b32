"""One message as it left or arrived: a few headers (`h` shows them all, as in neomutt), then its text."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from mailer.message_source import MessageSource
from tui.display import plain
from tui.times import operator_zone, shown_time
from tui.widgets.footer import KeyFooter
from tui.widgets.mode_header import ModeHeader


class MessageScreen(Screen[None]):
    """Read-only; `esc` or `q` goes back to the list it was opened from."""

    MODE = "outbox"  # the mode its header names (messages open from the Outbox)
    DEFAULT_CSS = """
    MessageScreen #message-note { color: $text-muted; padding: 0 1; }
    MessageScreen #message-headers { padding: 0 1; border-bottom: solid $primary-darken-2; }
    MessageScreen #message-body { padding: 0 1; }
    """
    BINDINGS = [
        Binding("h", "toggle_headers", "All headers"),
        Binding("escape,q", "back", "Back"),
    ]

    def __init__(self, source: MessageSource) -> None:
        super().__init__()
        self.source = source
        self.all_headers = False

    def compose(self) -> ComposeResult:
        yield ModeHeader()
        yield Static(plain(self._note(), lines=True), id="message-note")
        yield Static(self._headers(), id="message-headers")
        with VerticalScroll(id="message-body"):
            yield Static(plain(self.source.text, lines=True))
        yield KeyFooter()

    def on_mount(self) -> None:
        self.sub_title = f"message #{self.source.id}"
        self.query_one("#message-body").focus()

    def _note(self) -> str:
        """How the headers were obtained; then, on a line of its own, when it went or came (in the
        app's zone, named) and for which campaign."""
        zone = operator_zone(self.app)
        source = self.source
        facts = [f"{source.event.capitalize()} {shown_time(source.at, zone, named=True)}"
                 if source.event and source.at else "",
                 f"Campaign {source.campaign}" if source.campaign else ""]
        shown = " · ".join(fact for fact in facts if fact)
        return f"{source.note}\n{shown}." if shown else source.note

    def _headers(self) -> Text:
        shown = self.source.headers if self.all_headers else self.source.short_headers()
        # Header values come from outside (a subject, a name): one line each, escaped.
        return plain("\n".join(f"{name}: {' '.join(value.split())}" for name, value in shown), lines=True)

    def action_toggle_headers(self) -> None:
        self.all_headers = not self.all_headers
        self.query_one("#message-headers", Static).update(self._headers())

    def action_back(self) -> None:
        self.dismiss(None)
