"""Writing a message: subject and body, a rendered preview, a confirmation, then the draft back.

The modal is the whole flow: ctrl+s renders what was written (in a worker, through the
`prepare` it was given), asks with the count, and dismisses with what to queue, or None.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static, TextArea

from mailer.outgoing_files import describe, split_paths
from tui.display import plain
from tui.visible import visible
from tui.widgets.confirm import ConfirmScreen

DraftT = TypeVar("DraftT")

# kind -> (subject, body) source of that template; runs in a worker thread.
TemplateLoader = Callable[[str], tuple[str, str]]


@dataclass(frozen=True)
class Written:
    """What the operator wrote."""

    subject: str
    body: str
    attach: tuple[Path, ...] = ()  # files named in the dialog, read when the preview is made


@dataclass(frozen=True)
class Preview(Generic[DraftT]):
    """Rendered mail waiting for a yes: `count` messages, the first few shown, problems listed."""

    question: str
    text: str
    count: int
    draft: DraftT
    problems: list[str] = field(default_factory=list)


# Written -> the preview of what it becomes; runs in a worker thread (reads only).
Prepare = Callable[[Written], Preview[DraftT]]


class TemplateLoaded(Message):
    def __init__(self, subject: str, body: str) -> None:
        super().__init__()
        self.subject, self.body = subject, body


class FilesMeasured(Message):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class ComposeModal(ModalScreen[DraftT | None]):
    """Subject, body (optionally started from a template); ctrl+s previews, y returns the draft."""

    BINDINGS = [Binding("ctrl+s", "submit", "Preview and queue", priority=True),
                Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, to_line: str, prepare: Prepare[DraftT], subject: str = "",
                 body: str = "", *, cursor_at_start: bool = False, kinds: Sequence[str] = (),
                 load_template: TemplateLoader | None = None) -> None:
        super().__init__()
        self.prepare = prepare
        self.title_text, self.to_line = title, to_line
        # Input and TextArea draw control and bidi characters raw: a quoted stranger's mail is
        # shown (and sent) with them as visible escapes.
        self.subject, self.body = visible(subject), visible(body, lines=True)
        self.cursor_at_start = cursor_at_start
        self.kinds, self.load_template = kinds, load_template

    def compose(self) -> ComposeResult:
        with Vertical(id="compose-box", classes="modal-box"):
            yield Label(plain(self.title_text), classes="modal-title")
            yield Label(plain(self.to_line), classes="modal-hint")
            if self.load_template is not None:
                yield Select([(kind, kind) for kind in self.kinds], prompt="Start from a template…",
                             id="compose-template")
            yield Input(self.subject, placeholder="Subject", id="compose-subject")
            yield TextArea(self.body, id="compose-body", soft_wrap=True, show_line_numbers=False)
            yield Input(placeholder="Attach: file paths, separated by ;", id="compose-attach")
            yield Label("", id="compose-attach-size", classes="modal-hint", markup=False)
            # Static, not Label: a hint wraps at 80 columns instead of ending mid-word.
            if self.load_template is not None:
                yield Static("{{ firstName }}, {{ campaign.name }}… are filled in per recipient",
                             classes="modal-hint", markup=False)
            yield Static("ctrl+s preview and queue · esc cancel", classes="modal-hint")

    def on_mount(self) -> None:
        self.query_one("#compose-attach-size", Label).display = False  # until a file is named
        body = self.query_one("#compose-body", TextArea)
        if self.subject:
            body.focus()
            if self.cursor_at_start:
                body.move_cursor((0, 0))
        else:
            self.query_one("#compose-subject", Input).focus()

    @on(Select.Changed, "#compose-template")
    def _template_chosen(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            self._load(event.value)

    @work(thread=True, exclusive=True)
    def _load(self, kind: str) -> None:
        if self.load_template is None:
            return
        subject, body = self.load_template(kind)
        self.post_message(TemplateLoaded(subject, body))

    def on_template_loaded(self, message: TemplateLoaded) -> None:
        self.query_one("#compose-subject", Input).value = visible(message.subject)
        self.query_one("#compose-body", TextArea).text = visible(message.body, lines=True)

    @on(Input.Changed, "#compose-attach")
    def _files_named(self, event: Input.Changed) -> None:
        self._measure(split_paths(event.value))

    @work(thread=True, exclusive=True, group="compose-files")
    def _measure(self, paths: tuple[Path, ...]) -> None:
        self.post_message(FilesMeasured(describe(paths)))

    def on_files_measured(self, message: FilesMeasured) -> None:
        size = self.query_one("#compose-attach-size", Label)
        size.update(plain(message.text))
        size.display = bool(message.text)  # an empty line would take a row from the body at 80×24

    def action_submit(self) -> None:
        subject = self.query_one("#compose-subject", Input).value
        body = self.query_one("#compose-body", TextArea).text
        if not subject.strip() or not body.strip():
            self.notify("Write a subject and a message first.", severity="warning")
            return
        attach = split_paths(self.query_one("#compose-attach", Input).value)
        self.render_preview(Written(subject, body, attach))

    @work(thread=True, exclusive=True, group="compose-preview")
    def render_preview(self, written: Written) -> None:
        """Render the drafts off the UI thread; nothing is written until the answer is yes."""
        # call_from_thread: the worker lasts until the question is up (tests wait on workers).
        self.app.call_from_thread(self._ask, self.prepare(written))

    def _ask(self, preview: Preview[DraftT]) -> None:
        if preview.count == 0:
            first = f": {preview.problems[0]}" if preview.problems else "."
            self.notify(f"Nobody in the selection can be emailed{first}", severity="error")
            self.dismiss(None)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.dismiss(preview.draft)
            # No: back to the draft as it was written, not thrown away (esc here closes it).

        confirm = ConfirmScreen(preview.question, "Queue", preview=preview.text, problems=preview.problems,
                                cancel_label="Back to the draft")
        self.app.push_screen(confirm, answered)

    def action_cancel(self) -> None:
        self.dismiss(None)
