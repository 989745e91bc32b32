"""The app's footer: Textual's Footer, minus the rebuilds it does not need, and never cut mid-key.

Textual's Footer recomposes every key (a widget each, styled anew) whenever the active bindings
change, which each focus move and each screen-stack change does: opening the Inbox did so six
times, and on the Pipeline, with its two dozen keys, the rebuild was most of the time from Enter
in the search bar to the rows painted. This one:

- toggles and relabels the key widgets it has when the keys to show are among them, in order
  (the search bar hiding the letter keys, the table showing them again);
- otherwise recomposes once per change of what it shows (keys, words, enabled), after the
  refresh, so a burst of changes costs one rebuild;
- makes each key in the footer's own style (compact or not) instead of restyling it on mount;
- shows only the keys that fit whole, in binding order (the screens list the most important
  first), so at 80 columns it never ends on a key without its words.
"""

from __future__ import annotations

from typing import NamedTuple

from textual.app import ComposeResult
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey


class _Shown(NamedTuple):
    key: str
    key_display: str
    description: str
    action: str
    enabled: bool
    tooltip: str


class KeyFooter(Footer):
    """Footer with in-place updates, one rebuild per change, and whole keys only."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._shown: tuple | None = None
        self._pending = False
        self._unwanted: set[str] = set()  # actions toggled off, as opposed to hidden for want of room

    def _signature(self, screen: Screen) -> tuple:
        return (self.show_command_palette, self.compact, *(
            (binding.key, binding.key_display, binding.description, binding.action, binding.group,
             enabled, tooltip)
            for _node, binding, enabled, tooltip in screen.active_bindings.values() if binding.show))

    def bindings_changed(self, screen: Screen) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus or not self.is_attached or screen is not self.screen:
            return
        if self._toggled(screen):
            self._shown = self._signature(screen)
            self._fit()
            return
        if not self._pending:
            self._pending = True
            self.call_after_refresh(self._recompose_if_changed)

    async def _recompose_if_changed(self) -> None:
        self._pending = False
        if not self.is_attached:
            return
        signature = self._signature(self.screen)
        if signature != self._shown:
            self._shown = signature
            self._unwanted.clear()
            await self.recompose()
            self._fit()

    def compose(self) -> ComposeResult:
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                widget.set_reactive(FooterKey.compact, self.compact)
                widget.set_class(self.compact, "-compact", update=False)
            yield widget

    # Toggling in place.

    def _wanted(self, screen: Screen) -> list[_Shown] | None:
        """The keys `Footer.compose` would show (the first binding of each action), or None for groups."""
        wanted: dict[str, _Shown] = {}
        for _node, binding, enabled, tooltip in screen.active_bindings.values():
            if not binding.show:
                continue
            if binding.group is not None:
                return None
            wanted.setdefault(binding.action, _Shown(binding.key, self.app.get_key_display(binding),
                                                     binding.description, binding.action, enabled, tooltip))
        return list(wanted.values())

    def _keys(self) -> list[FooterKey]:
        return [key for key in self.query_children(FooterKey) if not key.has_class("-command-palette")]

    def _toggled(self, screen: Screen) -> bool:
        """Show exactly the wanted keys by toggling the widgets there are; False if a rebuild is needed."""
        if not self._bindings_ready:
            return False
        wanted = self._wanted(screen)
        keys = self._keys()
        palette = [key for key in self.query_children(FooterKey) if key.has_class("-command-palette")]
        has_palette = (self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE
                       and self.app.COMMAND_PALETTE_BINDING in screen.active_bindings)
        if wanted is None or not keys or bool(palette) != bool(has_palette):
            return False
        place = {key.action: n for n, key in enumerate(keys)}
        if any(shown.action not in place for shown in wanted):
            return False
        order = [place[shown.action] for shown in wanted]
        if order != sorted(order):
            return False
        chosen = {shown.action: shown for shown in wanted}
        self._unwanted = {key.action for key in keys if key.action not in chosen}
        for key in keys:
            if key.action in chosen:
                self._relabel(key, chosen[key.action])
        return True

    @staticmethod
    def _relabel(key: FooterKey, shown: _Shown) -> None:
        if (key.key, key.key_display, key.description) != (shown.key, shown.key_display, shown.description):
            key.key, key.key_display, key.description = shown.key, shown.key_display, shown.description
            key.refresh(layout=True)
        if key._disabled == shown.enabled:
            key._disabled = not shown.enabled
            key.set_class(key._disabled, "-disabled")
        key.tooltip = shown.tooltip or None

    # Whole keys only.

    def on_resize(self, event: Resize) -> None:
        self._fit()

    def _width(self, key: FooterKey) -> int:
        content = key.get_content_width(self.size, self.app.size)
        return content + key.styles.gutter.width + key.styles.margin.width

    def _fit(self) -> None:
        """Show the wanted keys, in order, while each fits whole beside the palette key."""
        room = self.size.width
        if not room:
            return  # not laid out yet: on_resize fits it
        for key in self.query_children(FooterKey):
            if key.has_class("-command-palette"):
                room -= self._width(key)
        full = False
        for key in self._keys():
            wanted = key.action not in self._unwanted
            width = self._width(key) if wanted else 0
            full = full or (wanted and width > room)
            key.display = wanted and not full
            room -= width if key.display else 0

