"""Writing a message: subject and body in a modal, handed back for a rendered preview."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, TextArea


@dataclass(frozen=True)
class Written:
    """What the operator wrote."""

    subject: str
    body: str


class ComposeModal(ModalScreen[Written | None]):
    """Subject, body; ctrl+s goes on to the preview, escape cancels."""

    BINDINGS = [Binding("ctrl+s", "submit", "Preview and queue", priority=True),
                Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, to_line: str, subject: str = "", body: str = "", *,
                 cursor_at_start: bool = False) -> None:
        super().__init__()
        self.title_text, self.to_line = title, to_line
        self.subject, self.body, self.cursor_at_start = subject, body, cursor_at_start

    def compose(self) -> ComposeResult:
        with Vertical(id="compose-box", classes="modal-box"):
            yield Label(self.title_text, classes="modal-title")
            yield Label(self.to_line, classes="modal-hint")
            yield Input(self.subject, placeholder="Subject", id="compose-subject")
            yield TextArea(self.body, id="compose-body", soft_wrap=True, show_line_numbers=False)
            yield Label("ctrl+s preview and queue · esc cancel", classes="modal-hint")

    def on_mount(self) -> None:
        body = self.query_one("#compose-body", TextArea)
        if self.subject:
            body.focus()
            if self.cursor_at_start:
                body.move_cursor((0, 0))
        else:
            self.query_one("#compose-subject", Input).focus()

    def action_submit(self) -> None:
        subject = self.query_one("#compose-subject", Input).value
        body = self.query_one("#compose-body", TextArea).text
        if not subject.strip() or not body.strip():
            self.notify("Write a subject and a message first.", severity="warning")
            return
        self.dismiss(Written(subject, body))

    def action_cancel(self) -> None:
        self.dismiss(None)
