"""The left pane: one option per conversation, loaded a page at a time.

OptionList measures and renders every option as it is added; a conversation is always two lines,
so this one knows every height without rendering and builds a label only when its row is drawn:
a page of a thousand costs what the rows on screen cost.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING

from rich.console import Group
from rich.text import Text
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.visual import Visual
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tui.times import shown_day_or_time, shown_time
from tui.visible import visible

if TYPE_CHECKING:
    from store.conversations import ConversationRow

LOAD_AHEAD = 5
ROW_LINES = 2  # every label is a head line and a subject line, never wrapped


def conversation_label(row: ConversationRow, tagged: bool, zone: tzinfo = UTC,
                       now: datetime | None = None, width: int | None = None) -> Group:
    """Two lines: marks, handle, unread count and date; then the latest subject. Given its `width`,
    the date keeps its place at the right whole: `bounced` shrinks to `!` first, then the handle is
    cut, ending in `…` (never silently)."""
    row = replace(row, handle=visible(row.handle), last_at=visible(row.last_at),
                  last_direction=visible(row.last_direction), last_subject=visible(row.last_subject))
    # The time for today's messages (in the operator's zone), the date for older ones.
    when = shown_day_or_time(row.last_at, zone, now) if now else shown_time(row.last_at, zone)
    unread = f" ●{row.unread}" if row.unread else ""
    bounced = " bounced" if row.bounced else ""
    handle = Text(row.handle, style="bold" if row.unread else "")
    if width is not None:
        room = width - 2 - len(unread) - (len(when) + 1 if when else 0)
        if bounced and handle.cell_len + len(bounced) > room:
            bounced = " !"  # as the key that lists the bounces
        room -= len(bounced)
        if handle.cell_len > room:
            handle.truncate(max(room, 1), overflow="ellipsis")
    head = Text(no_wrap=True, overflow="ellipsis")
    head.append("+" if tagged else " ", style="bold magenta")
    head.append("★" if row.bookmarked else " ", style="yellow")
    head.append_text(handle)
    head.append(unread, style="bold cyan")
    head.append(bounced, style="red")
    if when:
        gap = max(1, width - head.cell_len - len(when)) if width is not None else 1
        head.append(" " * gap + when, style="dim")
    arrow = "←" if row.last_direction == "in" else "→"
    subject = Text(f"  {arrow} {row.last_subject or '(no subject)'}", style="dim", no_wrap=True,
                   overflow="ellipsis")
    return Group(head, subject)


class ConversationOption(Option):
    """An option that holds its row; its label is made the first time it is drawn."""

    def __init__(self, row: ConversationRow) -> None:
        super().__init__("", id=str(row.influencer_id))
        self.row = row
        self.labelled = False


class ConversationList(OptionList):
    """Conversations; asks for the next page when the cursor nears the end."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("g", "first", "First", show=False),
        Binding("G", "last", "Last", show=False),
    ]

    class NeedMore(Message):
        """The cursor is near the end of what is loaded."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.rows: list[ConversationRow] = []
        self.more = False
        self.tagged: set[int] = set()
        self.zone: tzinfo = UTC  # the screen sets the operator's zone and the store's now
        self.now: datetime | None = None

    def show(self, rows: list[ConversationRow], *, append: bool, more: bool) -> None:
        """Replace (or extend) the options, keeping the cursor on the same influencer."""
        keep = self.current_id()
        self.rows = [*self.rows, *rows] if append else rows
        self.more = more
        if append:
            self.add_options(self._option(row) for row in rows)
            return
        self.clear_options()
        self.add_options(self._option(row) for row in self.rows)
        ids = [row.influencer_id for row in self.rows]
        if self.rows:
            self.highlighted = ids.index(keep) if keep in ids else 0

    def _option(self, row: ConversationRow) -> Option:
        return ConversationOption(row)

    def _get_visual(self, option: Option) -> Visual:
        if isinstance(option, ConversationOption) and not option.labelled:
            option.labelled = True
            row = option.row
            option._set_prompt(self._label(row))
        return super()._get_visual(option)

    def _label(self, row: ConversationRow) -> Group:
        padding = self.get_component_styles("option-list--option").padding
        width = self.scrollable_content_region.width - padding.left - padding.right
        return conversation_label(row, row.influencer_id in self.tagged, self.zone, self.now,
                                  width if width > 0 else None)

    def _on_resize(self) -> None:
        # Labels are laid out for a width: a new one lays out each again when next drawn.
        for option in self.options:
            if isinstance(option, ConversationOption):
                option.labelled = False
        super()._on_resize()

    def _update_lines(self) -> None:
        """Every option's lines, known without rendering it (each is `ROW_LINES` high)."""
        if not self.scrollable_content_region:
            return
        cache = self._line_cache
        start = cache.lines[-1][0] + 1 if cache.lines else 0
        for index in range(start, len(self.options)):
            cache.index_to_line[index] = len(cache.lines)
            cache.heights[index] = ROW_LINES
            cache.lines.extend((index, line) for line in range(ROW_LINES))
        virtual_size = Size(self.scrollable_content_region.width, len(cache.lines))
        if virtual_size != self.virtual_size:
            self.virtual_size = virtual_size
            self._scroll_update(virtual_size)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return ROW_LINES * self.option_count

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return container.width

    def refresh_row(self, influencer_id: int) -> None:
        for index, row in enumerate(self.rows):
            if row.influencer_id == influencer_id:
                label = self._label(row)
                self.replace_option_prompt_at_index(index, label)

    def current_id(self) -> int | None:
        if self.highlighted is None or not self.rows or self.highlighted >= len(self.rows):
            return None
        return self.rows[self.highlighted].influencer_id

    def current_row(self) -> ConversationRow | None:
        highlighted = self.highlighted
        return self.rows[highlighted] if highlighted is not None and self.current_id() is not None else None

    def watch_highlighted(self, highlighted: int | None) -> None:
        super().watch_highlighted(highlighted)
        if highlighted is not None and self.more and highlighted >= len(self.rows) - LOAD_AHEAD:
            self.post_message(self.NeedMore())

    def action_last(self) -> None:
        super().action_last()
        if self.more:
            self.post_message(self.NeedMore())
