"""The one yes/no dialog for final actions: what will happen, to how many, and what it looks like."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from tui.display import plain


class ConfirmScreen(ModalScreen[bool]):
    """Returns True when the operator confirms; `y`/`n`, enter and escape work too.

    A `preview` (rendered mail, say) and `problems` (who it cannot reach) show below the question.
    """

    CSS_PATH = "confirm.tcss"
    BINDINGS = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, question: str, confirm_label: str = "Yes", *, preview: str = "",
                 problems: Sequence[str] = (), cancel_label: str = "Cancel") -> None:
        super().__init__()
        self.question = question
        self.confirm_label, self.cancel_label = confirm_label, cancel_label
        self.preview, self.problems = preview, list(problems)

    def compose(self) -> ComposeResult:
        shown = bool(self.preview or self.problems)
        with Vertical(classes="with-preview" if shown else ""):
            yield Static(plain(self.question, lines=True), classes="question")
            if shown:
                with VerticalScroll(id="confirm-preview"):
                    yield Static(plain(self.preview, lines=True))
                    for problem in self.problems:
                        yield Static(plain(problem), classes="problem")
            with Horizontal():
                # The keys on the buttons themselves: y and n answer from anywhere in the dialog.
                yield Button(Content.assemble(f"{plain(self.cancel_label)} ", ("n", "bold")), id="no")
                yield Button(Content.assemble(f"{plain(self.confirm_label)} ", ("y", "bold")), id="yes",
                             variant="warning")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
