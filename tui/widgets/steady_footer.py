"""A Footer that shows and hides the keys it already has instead of rebuilding them.

Textual's Footer recomposes (every key a new widget, each styled anew) whenever the active bindings
change, which each focus move does: the search bar hides the letter keys, the table shows them
again. On the Pipeline, with its two dozen keys, that rebuild was most of the time from Enter in
the search bar to the rows painted. When every action to show already has a key widget, in the
same order, this footer toggles and relabels those widgets; otherwise it rebuilds as Footer does.
"""

from __future__ import annotations

from typing import NamedTuple

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


class SteadyFooter(Footer):
    """Footer, minus the rebuilds a focus move causes."""

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

    def _toggled(self, screen: Screen) -> bool:
        """Show exactly the wanted keys by toggling the widgets there are; False if a rebuild is needed."""
        wanted = self._wanted(screen)
        palette = [key for key in self.query_children(FooterKey) if key.has_class("-command-palette")]
        keys = [key for key in self.query_children(FooterKey) if not key.has_class("-command-palette")]
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
        for key in keys:
            shown = chosen.get(key.action)
            key.display = shown is not None
            if shown is not None:
                self._relabel(key, shown)
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

    def bindings_changed(self, screen: Screen) -> None:
        if (self._bindings_ready and screen.app.app_focus and self.is_attached and screen is self.screen
                and self._toggled(screen)):
            return
        super().bindings_changed(screen)
