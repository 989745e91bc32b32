"""The tab bar under each mode's header: the four modes by key, its own marked, and what is shown in it.

`[2 Inbox]` is the current mode: brackets and reverse bold, so it reads in a monochrome terminal and in
a plain-text capture alike. After the tabs comes what the screen says is in force (a campaign, a
filter), or a loading cue while it changes; cut with `…` when the line is too narrow.
"""

from __future__ import annotations

from textual import events
from textual.content import Content
from textual.message import Message
from textual.widget import Widget

from tui.visible import visible

# The modes in key order: `1` is the first.
MODE_TITLES = {"pipeline": "Pipeline", "inbox": "Inbox", "moderation": "Moderation", "outbox": "Outbox"}
SEPARATOR = "│ "  # after a tab's own closing space (or bracket and a space)


def tab_text(key: str, title: str, current: bool) -> str:
    """` 1 Pipeline ` or, for the current mode, `[1 Pipeline]`: the same width, so nothing shifts."""
    return f"[{key} {title}]" if current else f" {key} {title} "


def tabs(current: str) -> list[tuple[str, str]]:
    """(mode, its tab's text) for every mode, in key order."""
    return [(mode, tab_text(str(number), title, mode == current))
            for number, (mode, title) in enumerate(MODE_TITLES.items(), start=1)]


def bar_line(current: str, where: str, width: int | None) -> Content:
    """The whole line: the tabs, then `where` (dim), all in `width` cells, a cut marked `…`."""
    shown = tabs(current)
    parts: list[str | tuple[str, str]] = [(text, "reverse bold") if mode == current else text
                                          for mode, text in shown]
    if where:
        gap = "" if shown[-1][1].endswith(" ") else " "
        parts += [gap, (SEPARATOR, "dim"), (where, "dim")]
    line = Content.assemble(*parts)
    return line if width is None or line.cell_length <= width else line.truncate(width, ellipsis=True)


class ModeBar(Widget):
    """One line naming its own screen's mode (the screen's `MODE`), not whichever mode is current:
    every mode keeps its screen, and this bar, alive while hidden."""

    DEFAULT_CSS = """
    ModeBar {
        height: 1;
        width: 100%;
        background: $panel;
        color: $foreground;
    }
    """

    class Chosen(Message):
        """A tab was clicked: the app switches to that mode."""

        def __init__(self, mode: str) -> None:
            super().__init__()
            self.mode = mode

    def __init__(self, where: str = "", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._where = visible(where)
        self._loading: str | None = None

    @property
    def mode(self) -> str:
        return str(getattr(self.screen, "MODE", ""))

    @property
    def where(self) -> str:
        """What the line says after the tabs now: the loading cue while there is one."""
        return self._where if self._loading is None else self._loading

    def show(self, where: str) -> None:
        """What is in force on the screen (`Winter Capsule 25 · active stages`); ends a loading cue."""
        self._where, self._loading = visible(where), None
        self.refresh()

    def cue(self, what: str) -> None:
        """`loading Winter Capsule 25 …` until the next `show`: the rows under it are not its own yet."""
        self._loading = " ".join(part for part in ("loading", visible(what), "…") if part)
        self.refresh()

    def render(self) -> Content:
        return bar_line(self.mode, self.where, self.size.width or None)

    def on_click(self, event: events.Click) -> None:
        """A click on a tab chooses its mode."""
        start = 0
        for mode, text in tabs(self.mode):
            if start <= event.x < start + len(text):
                event.stop()
                self.post_message(self.Chosen(mode))
                return
            start += len(text)


def where_line(*parts: str) -> str:
    """What is in force, its non-empty parts in order: `Winter Capsule 25 · active stages`."""
    return " · ".join(part for part in parts if part)
