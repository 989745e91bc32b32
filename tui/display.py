"""Outside text made ready for a widget: neutralised by `visible()` and never read as markup.

Every widget that turns stored rows into display text does it through here, once, where the
rows come in: `plain()` for a Static, a Label, an option or a prompt; `cell()` for a table
cell; `visible_data()` for a row (or a nested card) that a widget then styles piece by piece.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import fields, is_dataclass, replace
from typing import Any

from rich.text import Text

from tui.visible import visible


def plain(value: object, *, lines: bool = False, style: str = "") -> Text:
    """`value` as literal text: controls and bidi characters escaped, `[brackets]` shown as they are.

    A `Text` (not a markup string) works as the content of a Static, a Label, an option or a
    prompt, and keeps a Select's type-to-search working.
    """
    return Text(visible(value, lines=lines), style=style)


def cell(value: object, width: int | None = None) -> Text:
    """A DataTable cell: one line; with the column's `width`, anything longer ends in `…`, since the
    table itself would crop it silently (`@mia.rossi27` read as a handle when it is `mia.rossi278`)."""
    text = Text(visible(value), no_wrap=True, end="")
    if width is not None and text.cell_len > width:
        text.truncate(width, overflow="ellipsis")
    return text


def visible_data(value: Any, lines: Collection[str] = (), *, _key: str = "") -> Any:
    """`value` (a row, a list of rows, a card) with every string in it passed through `visible()`.

    Strings under a key or dataclass field named in `lines` (a body, a note) keep their newlines and tabs.
    """
    if isinstance(value, str):
        return visible(value, lines=_key in lines)
    if isinstance(value, dict):
        return {visible(key) if isinstance(key, str) else key:
                visible_data(item, lines, _key=key if isinstance(key, str) else "")
                for key, item in value.items()}
    if is_dataclass(value) and not isinstance(value, type):
        return replace(value, **{f.name: visible_data(getattr(value, f.name), lines, _key=f.name)
                                 for f in fields(value)})
    if isinstance(value, list | tuple):
        return type(value)(visible_data(item, lines, _key=_key) for item in value)
    return value
