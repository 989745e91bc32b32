"""The app's footer: the keys of the focused screen on one line, drawn by one widget, never cut mid-key.

Textual's Footer is a container with a widget per key, recomposed (each key mounted and styled anew)
whenever the active bindings change, which each focus move does. On the Pipeline, with its two dozen
keys, that rebuild was 100 ms of the cold start (the first frame's footer is empty; the keys came a
frame later) and most of the time from Enter in the search bar to the rows painted. This footer is
one widget that renders a line of text: a change of bindings is a repaint.

It looks and acts as Textual's does (the same component styles, the command palette's key at the
right edge behind a thin rule, a key lit under the mouse with its tooltip, a click presses the key)
and shows only the keys that fit whole, in binding order (the screens list the most important
first), so at 80 columns it never ends on a key without its words.
"""

from __future__ import annotations

from typing import NamedTuple

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.screen import Screen
from textual.widget import Widget

PALETTE_EDGE = "▏"  # Textual's `vkey` border between the keys and the palette's


class Entry(NamedTuple):
    """One key as the footer shows it."""

    key: str
    key_display: str
    description: str
    action: str
    enabled: bool
    tooltip: str

    @property
    def width(self) -> int:
        if not self.description:
            return cell_len(self.key_display)
        return cell_len(f" {self.key_display}  {self.description}")  # " key " then "words "


class KeyFooter(Widget, can_focus=False):
    """One line: the keys that fit whole, then the command palette's key at the right."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"footer-key--key", "footer-key--description", "footer-key--hover",
                         "footer-key--edge"}
    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        .footer-key--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        .footer-key--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        .footer-key--edge {
            color: $foreground 20%;
        }
        .footer-key--hover {
            color: $footer-key-foreground;
            background: $block-hover-background;
        }
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._hovered: Entry | None = None
        self._spans: list[tuple[int, int, Entry]] = []  # (first cell, end cell, entry) as last drawn

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def bindings_changed(self, screen: Screen) -> None:
        if screen is self.screen:
            self.refresh()

    # What is shown.

    def wanted(self) -> list[Entry]:
        """The keys the focused screen offers, the first binding of each action, in binding order."""
        wanted: dict[str, Entry] = {}
        for _node, binding, enabled, tooltip in self.screen.active_bindings.values():
            if binding.show and binding.action not in wanted:
                wanted[binding.action] = Entry(binding.key, self.app.get_key_display(binding),
                                               binding.description, binding.action, enabled, tooltip)
        return list(wanted.values())

    def palette(self) -> Entry | None:
        """The command palette's key, when the app has one and the screen lets it open."""
        if not self.app.ENABLE_COMMAND_PALETTE:
            return None
        found = self.screen.active_bindings.get(self.app.COMMAND_PALETTE_BINDING)
        if found is None:
            return None
        _node, binding, enabled, tooltip = found
        return Entry(binding.key, self.app.get_key_display(binding), binding.description, binding.action,
                     enabled, binding.tooltip or tooltip or binding.description)

    def shown(self) -> list[Entry]:
        """The wanted keys, in order, while each fits whole beside the palette's key."""
        palette = self.palette()
        room = self.size.width - (self._palette_width(palette) if palette else 0)
        shown = []
        for entry in self.wanted():
            if entry.width > room:
                break
            shown.append(entry)
            room -= entry.width
        return shown

    @staticmethod
    def _palette_width(palette: Entry) -> int:
        return len(PALETTE_EDGE) + palette.width + 1  # and a space at the right edge

    # Drawing.

    def render(self) -> Text:
        line = Text(no_wrap=True, overflow="crop", end="")
        self._spans = []
        for entry in self.shown():
            self._add(line, entry)
        palette = self.palette()
        if palette is not None:
            gap = self.size.width - line.cell_len - self._palette_width(palette)
            line.append(" " * max(0, gap))
            line.append(PALETTE_EDGE, self.get_component_rich_style("footer-key--edge"))
            self._add(line, palette)
            line.append(" ")
        return line

    def _add(self, line: Text, entry: Entry) -> None:
        start = line.cell_len
        key_style = self.get_component_rich_style("footer-key--key")
        description_style = self.get_component_rich_style("footer-key--description")
        if entry == self._hovered:
            hover = self.get_component_rich_style("footer-key--hover")
            key_style, description_style = key_style + hover, description_style + hover
        if not entry.enabled:
            key_style, description_style = key_style + Style(dim=True), description_style + Style(dim=True)
        if entry.description:
            line.append(f" {entry.key_display} ", key_style)
            line.append(f"{entry.description} ", description_style)
        else:
            line.append(entry.key_display, key_style)
        self._spans.append((start, line.cell_len, entry))

    # The mouse.

    def _entry_at(self, x: int) -> Entry | None:
        return next((entry for start, end, entry in self._spans if start <= x < end), None)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        entry = self._entry_at(event.x)
        if entry != self._hovered:
            self._hovered = entry
            self.tooltip = (entry.tooltip or None) if entry else None
            self.refresh()

    def on_leave(self, _event: events.Leave) -> None:
        if self._hovered is not None:
            self._hovered = None
            self.tooltip = None
            self.refresh()

    def on_mouse_down(self, event: events.MouseDown) -> None:
        entry = self._entry_at(event.x)
        if entry is None:
            return
        if entry.enabled:
            self.app.simulate_key(entry.key)
        else:
            self.app.bell()
