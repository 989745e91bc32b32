"""Small dialogs of the Inbox: filter, write a note, choose a folder, pick one item (confirming is
`tui.widgets.confirm`)."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Label, OptionList, Select, Static, TextArea
from textual.widgets.option_list import Option

from tui.display import plain


class FilterModal(ModalScreen[tuple[int | None, bool, bool] | None]):
    """Campaign, bookmarks, unread: enter applies, esc keeps the current filter."""

    BINDINGS = [Binding("enter", "apply", "Apply", priority=True), Binding("escape", "cancel", "Cancel")]

    def __init__(self, campaigns: list[tuple[str, int]], current: tuple[int | None, bool, bool]) -> None:
        super().__init__()
        self.campaigns, self.current = campaigns, current

    def compose(self) -> ComposeResult:
        campaign_id, bookmarked, unread = self.current
        with Vertical(id="filter-box", classes="modal-box"):
            yield Label("Filter conversations", classes="modal-title")
            choices = [(plain(name), value) for name, value in self.campaigns]
            yield Select(choices, value=campaign_id if campaign_id else Select.NULL,
                         prompt="All campaigns", id="filter-campaign")
            yield Checkbox("Bookmarked only", bookmarked, id="filter-bookmarked")
            yield Checkbox("Unread only", unread, id="filter-unread")
            yield Label("enter apply · esc cancel", classes="modal-hint")

    def action_apply(self) -> None:
        value = self.query_one("#filter-campaign", Select).value
        self.dismiss((value if isinstance(value, int) else None,
                      self.query_one("#filter-bookmarked", Checkbox).value,
                      self.query_one("#filter-unread", Checkbox).value))

    def action_cancel(self) -> None:
        self.dismiss(None)


class NoteModal(ModalScreen[str | None]):
    """A note on the influencer: ctrl+s saves, esc cancels."""

    BINDINGS = [Binding("ctrl+s", "save", "Save", priority=True), Binding("escape", "cancel", "Cancel")]

    def __init__(self, handle: str) -> None:
        super().__init__()
        self.handle = handle

    def compose(self) -> ComposeResult:
        with Vertical(id="note-box", classes="modal-box"):
            yield Label(plain(f"Note on {self.handle}"), classes="modal-title")
            yield TextArea(id="note-body", soft_wrap=True)
            yield Label("ctrl+s save · esc cancel", classes="modal-hint")

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    def action_save(self) -> None:
        text = self.query_one(TextArea).text
        self.dismiss(text if text.strip() else None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class FolderModal(ModalScreen[str | None]):
    """Where to save files: the folder offered first, editable; enter saves, esc cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, folder: str) -> None:
        super().__init__()
        self.title_text, self.folder = title, folder

    def compose(self) -> ComposeResult:
        with Vertical(id="folder-box", classes="modal-box"):
            yield Label(plain(self.title_text), classes="modal-title")
            yield Input(plain(self.folder).plain, id="folder-path")
            yield Label("enter save here (an existing file is never overwritten) · esc cancel",
                        classes="modal-hint")

    @on(Input.Submitted, "#folder-path")
    def _chosen(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class PickModal(ModalScreen[Any]):
    """Choose one item (a campaign, a stray message, a bounce) with its details shown below."""

    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("j", "down", show=False),
                Binding("k", "up", show=False)]

    def __init__(self, title: str, hint: str, items: list[tuple[str, Any, str]]) -> None:
        super().__init__()
        self.title_text, self.hint, self.items = title, hint, items

    def compose(self) -> ComposeResult:
        with Vertical(id="pick-box", classes="modal-box"):
            yield Label(plain(self.title_text), classes="modal-title")
            options = [Option(plain(label), id=str(index)) for index, (label, _, _) in enumerate(self.items)]
            yield OptionList(*options, id="pick-list")
            with VerticalScroll(id="pick-detail"):
                yield Static("", id="pick-detail-text")
            yield Label(plain(self.hint), classes="modal-hint")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionHighlighted)
    def _show_detail(self, event: OptionList.OptionHighlighted) -> None:
        detail = self.items[event.option_index][2]
        self.query_one("#pick-detail-text", Static).update(plain(detail, lines=True))

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.items[event.option_index][1])

    def action_down(self) -> None:
        self.query_one(OptionList).action_cursor_down()

    def action_up(self) -> None:
        self.query_one(OptionList).action_cursor_up()

    def action_cancel(self) -> None:
        self.dismiss(None)
