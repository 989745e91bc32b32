"""The header of a mode's screens: it names its own mode, not whichever mode is current when it redraws."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Header
from textual.widgets._header import HeaderTitle


class ModeHeader(Header):
    """A Header that asks the app for the title of the mode its screen belongs to (the screen's `MODE`).

    Every mode keeps its screen, and its header, alive while hidden; a new sub-title ("2 sent this
    session") redraws them all, so a title read from the current mode would put one mode's name on
    another's header.

    It has no clock, so its title takes the clock's room, and the palette's icon only its own: at 80
    columns that is what lets a rehearsal's header say where its mail is kept."""

    DEFAULT_CSS = """
    ModeHeader HeaderIcon { width: 3; }
    ModeHeader HeaderClockSpace { display: none; }
    """

    def format_title(self) -> Content:
        mode = getattr(self.screen, "MODE", None)
        title_for = getattr(self.app, "title_for", None)
        if mode is None or title_for is None:
            return super().format_title()
        width = next((title.size.width for title in self.query(HeaderTitle)), 0)  # 0: not laid out yet
        return title_for(mode, self.screen_title, self.screen_sub_title, width or None)

    def on_resize(self) -> None:
        """The title is fitted to the width it has: a rehearsal's says less in a narrow terminal."""
        self.query_one(HeaderTitle).update(self.format_title())
