"""Editing one invitation's template, with a live count of its rendered length against the limit."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Static, TextArea

from tui.display import plain
from tui.visible import visible


class InvitationEditor(ModalScreen[tuple[str, str] | None]):
    """Returns (subject, body) on ctrl+s, None on escape."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save"),
        Binding("escape", "cancel", "Cancel"),
    ]
    CSS_PATH = "invitation_editor.tcss"

    def __init__(self, title: str, subject: str, body: str, limit: int,
                 measure: Callable[[str, str], int | str]) -> None:
        super().__init__()
        # Input and TextArea draw control and bidi characters raw: they are edited as visible escapes.
        self.title_text, self.subject, self.body = title, visible(subject), visible(body, lines=True)
        self.limit, self.measure = limit, measure

    def compose(self) -> ComposeResult:
        with Vertical(id="editor-box"):
            yield Static(plain(f"{self.title_text}  ·  ctrl+s saves  ·  esc cancels"), id="editor-title")
            yield Input(self.subject, placeholder="Subject", id="editor-subject")
            yield TextArea(self.body, id="editor-body", soft_wrap=True, show_line_numbers=False)
            yield Static("", id="editor-count")

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()
        self._count()

    def on_text_area_changed(self, _event: TextArea.Changed) -> None:
        self._count()

    def on_input_changed(self, _event: Input.Changed) -> None:
        self._count()

    def _count(self) -> None:
        subject = self.query_one("#editor-subject", Input).value
        length = self.measure(subject, self.query_one(TextArea).text)
        label = self.query_one("#editor-count", Static)
        if isinstance(length, str):  # the template does not render: the sentence says why
            label.update(Content(visible(length)))
            label.set_class(True, "over")
            return
        over = length > self.limit
        held = "  — over the limit: it will be held" if over else ""
        label.update(f"{length}/{self.limit} characters{held}")
        label.set_class(over, "over")

    def action_save(self) -> None:
        self.dismiss((self.query_one("#editor-subject", Input).value, self.query_one(TextArea).text))

    def action_cancel(self) -> None:
        self.dismiss(None)
