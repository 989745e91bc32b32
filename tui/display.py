"""Outside text made ready for a widget: neutralised by `visible()` and never read as markup."""

from __future__ import annotations

from rich.text import Text

from tui.visible import visible


def plain(value: object, *, lines: bool = False, style: str = "") -> Text:
    """`value` as literal text: controls and bidi characters escaped, `[brackets]` shown as they are.

    A `Text` (not a markup string) works as the content of a Static, a Label, an option or a
    table cell, and keeps a Select's type-to-search working.
    """
    return Text(visible(value, lines=lines), style=style)
