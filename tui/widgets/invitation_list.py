"""A virtual list of queued invitations, grouped by campaign and sender (Line API: any length)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.visible import visible


@dataclass(frozen=True)
class QueueItem:
    """One invitation as the list shows it (plain data: the list does no I/O)."""

    id: int
    campaign: str
    sender: str
    handle: str
    language: str
    length: int
    limit: int
    status: str
    flags: tuple[str, ...]
    approved_by: str | None
    when: str
    languages: tuple[str, ...]
    influencer_language: str | None
    moderated: bool

    @property
    def blocked(self) -> bool:
        return bool({"over_limit", "missing_data"} & set(self.flags))

    @property
    def group(self) -> tuple[str, str]:
        return self.campaign, self.sender


FLAG_WORDS = {"over_limit": "over the limit", "missing_data": "missing data", "retimed": "retimed",
              "moderator_skip": "", "unsubscribed": "unsubscribed", "bounced": "bounced"}


def describe(item: QueueItem) -> tuple[str, str]:
    """(glyph, words) for an item's state, flags first since they need a fix."""
    words = ", ".join(w for w in (FLAG_WORDS.get(f, f.replace("_", " ")) for f in item.flags) if w)
    if item.status == "skipped":
        return "–", "skipped" + (f" ({words})" if words else "")
    if item.blocked:
        return "!", words
    if item.approved_by:
        return "✓", f"approved by {item.approved_by}" + (f", {words}" if words else "")
    return "·", words or ("to review" if item.moderated else "")


HANDLE_WIDTH = 20


def _fitted(text: str, width: int) -> str:
    """`text` in `width` cells, ending in `…` when cut: a handle is never cut silently."""
    # A wide letter that does not fit leaves a space behind: the … follows the letters.
    return text if cell_len(text) <= width else set_cell_size(text, width - 1).rstrip(" ") + "…"


def _shown(item: QueueItem) -> QueueItem:
    """The item with every piece of outside text neutralised, for drawing only."""
    return replace(item, campaign=visible(item.campaign), sender=visible(item.sender),
                   handle=visible(item.handle), language=visible(item.language), when=visible(item.when),
                   flags=tuple(visible(flag) for flag in item.flags))


class InvitationList(ScrollView, can_focus=True):
    """Rows of invitations under one header per (campaign, sender); the cursor moves over rows only."""

    COMPONENT_CLASSES = {"invitation-list--header", "invitation-list--cursor", "invitation-list--flagged",
                         "invitation-list--skipped", "invitation-list--approved", "invitation-list--tag"}
    # Styled by tui/screens/moderation.tcss (its one screen), component classes included.

    BINDINGS = [
        Binding("down", "move(1)", "Down", show=False),
        Binding("up", "move(-1)", "Up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("home", "move(-1000000000)", "First", show=False),
        Binding("end", "move(1000000000)", "Last", show=False),
    ]

    cursor: reactive[int] = reactive(0, always_update=True)

    class Highlighted(Message):
        """The cursor is on `item` (None: the list is empty)."""

        def __init__(self, item: QueueItem | None) -> None:
            super().__init__()
            self.item = item

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.items: list[QueueItem] = []
        self.tagged: set[int] = set()
        self._lines: list[tuple[bool, int]] = []  # (is header, item index)
        self._line_of: list[int] = []

    def show(self, items: list[QueueItem]) -> None:
        """Replace the rows; the cursor stays on its invitation (by id) while it is still there, else
        on the same line, so a new order never puts it on someone else."""
        keep_id = self.current.id if self.current else None
        self.items = items
        self.tagged &= {item.id for item in items}
        self._lines, self._line_of, last_group = [], [], None
        for index, item in enumerate(items):
            if item.group != last_group:
                self._lines.append((True, index))
                last_group = item.group
            self._line_of.append(len(self._lines))
            self._lines.append((False, index))
        self.virtual_size = Size(self.size.width, len(self._lines))
        ids = [item.id for item in items]
        target = ids.index(keep_id) if keep_id in ids else min(self.cursor, len(items) - 1)
        self.cursor = max(0, target)
        self.refresh()

    @property
    def current(self) -> QueueItem | None:
        return self.items[self.cursor] if self.items else None

    def move(self, delta: int) -> None:
        if self.items:
            self.cursor = max(0, min(len(self.items) - 1, self.cursor + delta))

    def action_move(self, delta: int) -> None:
        self.move(delta)

    def action_page(self, direction: int) -> None:
        self.move(direction * max(1, self.scrollable_content_region.height - 2))

    def watch_cursor(self, cursor: int) -> None:
        if self.items:
            line = self._line_of[cursor]
            top, height = self.scroll_offset.y, max(1, self.scrollable_content_region.height)
            if line - 1 < top:
                self.scroll_to(y=max(0, line - 1), animate=False)
            elif line >= top + height:
                self.scroll_to(y=line - height + 1, animate=False)
        self.refresh()
        self.post_message(self.Highlighted(self.current))

    def toggle_tag(self) -> None:
        if self.current:
            self.tagged.symmetric_difference_update({self.current.id})
            self.refresh()

    def on_click(self, event: events.Click) -> None:
        line = event.y + self.scroll_offset.y
        if 0 <= line < len(self._lines) and not self._lines[line][0]:
            self.cursor = self._lines[line][1]

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        line = self.scroll_offset.y + y
        if line >= len(self._lines):
            return Strip.blank(width, self.rich_style)
        is_header, index = self._lines[line]
        item = _shown(self.items[index])
        if is_header:
            style = self.get_component_rich_style("invitation-list--header")
            return Strip([Segment(f" {item.campaign} · {item.sender}", style)]).adjust_cell_length(
                width, self.rich_style)
        return self._row(item, index == self.cursor).adjust_cell_length(width, self.rich_style)

    def _row(self, item: QueueItem, under_cursor: bool) -> Strip:
        glyph, words = describe(item)
        state = ("skipped" if item.status == "skipped" else "flagged" if item.blocked
                 else "approved" if item.approved_by else None)
        style = self.get_component_rich_style(f"invitation-list--{state}") if state else Style()
        tag = "●" if item.id in self.tagged else " "
        count = f"{item.length}/{item.limit}"
        segments = [Segment(f" {tag}", self.get_component_rich_style("invitation-list--tag")),
                    Segment(f"{glyph} {item.when:<16} @{_fitted(item.handle, HANDLE_WIDTH):<21}"
                            f"{item.language or '?':<3}"
                            f"{count:>9}  ", style),
                    Segment(words, style + Style(bold=bool(item.blocked)))]
        if under_cursor:
            cursor = self.get_component_rich_style("invitation-list--cursor")
            segments = [Segment(text, (segment_style or Style()) + cursor)
                        for text, segment_style, _ in segments]
        return Strip(segments)
