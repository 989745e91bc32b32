"""The `?` screen: every key binding of the current mode and of the whole app."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

# Textual's own keys (focus moves, copy) every screen has: listed last, after what the mode does.
GENERIC_KEYS = frozenset({"tab", "shift+tab", "ctrl+c"})


def mode_keys_first(rows: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """The rows in their order, Textual's generic keys moved to the end."""
    return ([row for row in rows if row[0] not in GENERIC_KEYS]
            + [row for row in rows if row[0] in GENERIC_KEYS])


class HelpScreen(ModalScreen[None]):
    """A modal table of (key, what it does, where it works)."""

    BINDINGS = [
        Binding("escape", "dismiss", "Close"),
        Binding("question_mark", "dismiss", "Close", key_display="?"),
        Binding("q", "dismiss", "Close", show=False),
        # The app moves with j/k/g/G everywhere else; the list of its keys does too.
        Binding("j", "move('down')", "Down", show=False),
        Binding("k", "move('up')", "Up", show=False),
        Binding("g,home", "move('top')", "First key", show=False),
        Binding("G,end", "move('bottom')", "Last key", show=False),
    ]

    def __init__(self, rows: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.rows = mode_keys_first(rows)

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Static("Keys  ·  j/k move  ·  ctrl+p: the command palette  ·  esc closes",
                         id="help-title")
            table: DataTable = DataTable(id="help-table", cursor_type="row", zebra_stripes=True)
            table.add_columns("key", "does", "where")
            shown = ""
            for key, does, where in self.rows:
                # Each place named once, on its first key: forty "Pipeline"s read as noise.
                table.add_row(key, does, where if where != shown else "")
                shown = where
            yield table

    def action_move(self, where: str) -> None:
        table = self.query_one(DataTable)
        if where == "top":
            table.move_cursor(row=0)
        elif where == "bottom":
            table.move_cursor(row=table.row_count - 1)
        else:
            table.move_cursor(row=table.cursor_row + (1 if where == "down" else -1))

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
