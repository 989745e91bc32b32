"""The contact editor of the Inbox: one influencer's fields, prefilled; it returns what changed.

It does no I/O: it compares what is typed with the card it was given and dismisses with a
`ContactChange` (changed fields as text, emptied fields to clear), which the Inbox hands
to the one `contacts.edit` action; the action checks every value as an import would.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, TextArea

from store.contact import InfluencerCard
from store.contact_edit import ContactChange
from tui.display import plain

# (import column, label, the option `--clear` names)
FIELDS = (("name", "name", "name"), ("first_name", "first name", "first_name"), ("email", "email", "email"),
          ("followers", "followers", "followers"), ("engagement_rate", "engagement %", "engagement"),
          ("country", "country", "country"), ("language", "language", "language"),
          ("platform", "platforms", "platforms"), ("tags", "tags", "tags"))


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def prefilled(card: InfluencerCard) -> dict[str, str]:
    """Each field of the card as the text the editor starts from."""
    return {"name": card.name, "first_name": card.first_name, "email": card.email or "",
            "followers": _number(card.followers), "engagement_rate": _number(card.engagement_rate),
            "country": card.country or "", "language": card.language or "",
            "platform": ", ".join(card.platforms), "tags": ", ".join(card.tags),
            "address": card.address or ""}


def change_between(before: dict[str, str], after: dict[str, str]) -> ContactChange:
    """What the person changed: new text to check and store, emptied fields to erase."""
    clear_names = {column: clear for column, _label, clear in FIELDS} | {"address": "address"}
    values: dict[str, str | list[str]] = {}
    clear: list[str] = []
    for column, text in after.items():
        if text.strip() == before[column].strip():
            continue
        if not text.strip():
            clear.append(clear_names[column])
        elif column in ("platform", "tags"):
            values[column] = [word.strip() for word in text.split(",")]
        else:
            values[column] = text
    return ContactChange(values=values, clear=tuple(clear))


class ContactEditor(ModalScreen[ContactChange | None]):
    """Edit one influencer's contact data: ctrl+s saves what changed, esc leaves it as it was."""

    DEFAULT_CSS = """
    ContactEditor { align: center middle; }
    ContactEditor #contact-box {
        width: 90%; max-width: 90; height: auto; max-height: 90%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    ContactEditor .contact-row { height: 3; }
    ContactEditor .contact-row Label { width: 14; padding: 1 1 0 0; }
    ContactEditor .contact-row Input { width: 1fr; }
    ContactEditor #contact-address { height: 5; }
    ContactEditor .contact-title { text-style: bold; }
    ContactEditor .contact-hint { color: $text-muted; }
    """
    BINDINGS = [Binding("ctrl+s", "save", "Save", priority=True), Binding("escape", "cancel", "Cancel")]

    def __init__(self, card: InfluencerCard) -> None:
        super().__init__()
        self.card = card
        self.before = prefilled(card)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="contact-box"):
            # The keys in the title: at 80×24 the form scrolls and a hint at its foot is out of sight.
            yield Label(plain(f"Contact of @{self.card.handle}  ·  ctrl+s saves  ·  esc cancels"),
                        classes="contact-title")
            for column, label, _clear in FIELDS:
                with Horizontal(classes="contact-row"):
                    yield Label(label)
                    yield Input(self.before[column], id=f"contact-{column}")
            yield Label("postal address")
            yield TextArea(self.before["address"], id="contact-address")
            yield Label("An emptied field is erased; lists are comma-separated.", classes="contact-hint")

    def typed(self) -> dict[str, str]:
        values = {column: self.query_one(f"#contact-{column}", Input).value for column, _l, _c in FIELDS}
        return values | {"address": self.query_one("#contact-address", TextArea).text}

    def action_save(self) -> None:
        change = change_between(self.before, self.typed())
        self.dismiss(None if change.is_empty else change)

    def action_cancel(self) -> None:
        self.dismiss(None)
