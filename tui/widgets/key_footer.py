"""A Footer that rebuilds its keys only when the keys it would show have changed."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey


class KeyFooter(Footer):
    """Textual's Footer recomposes every key (a widget each, styles and all) on every focus or
    screen-stack change: opening the Inbox did so six times. This one recomposes once per change
    of what it shows: the keys, their words, whether each is enabled. Each key is also made
    in the footer's style (compact or not) instead of starting compact and being restyled as
    it mounts, twice per key."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._shown: tuple | None = None
        self._pending = False

    def _signature(self, screen: Screen) -> tuple:
        return (self.show_command_palette, self.compact, *(
            (binding.key, binding.key_display, binding.description, binding.action, binding.group,
             enabled, tooltip)
            for _node, binding, enabled, tooltip in screen.active_bindings.values() if binding.show))

    def bindings_changed(self, screen: Screen) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus or not self.is_attached or screen is not self.screen or self._pending:
            return
        self._pending = True
        self.call_after_refresh(self._recompose_if_changed)

    async def _recompose_if_changed(self) -> None:
        self._pending = False
        if not self.is_attached:
            return
        signature = self._signature(self.screen)
        if signature != self._shown:
            self._shown = signature
            await self.recompose()

    def compose(self) -> ComposeResult:
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                widget.set_reactive(FooterKey.compact, self.compact)
                widget.set_class(self.compact, "-compact", update=False)
            yield widget
