"""The campaign settings screen: every setting of one campaign, editable by a manager.

It does no I/O: it is given the campaign and why its reader may not change it (if so), and it
dismisses with a `SettingsRequest` (an edit with the changed settings, or close, reopen, pause
or resume, each confirmed first) that the Pipeline runs as the one campaign action.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Switch, TextArea

from store.campaigns import Campaign, state_text
from store.errors import UserError
from tui.display import plain
from tui.screens.campaign_form import FIELDS, changed_settings, prefilled
from tui.widgets.confirm import ConfirmScreen

HINT = "ctrl+s save · ctrl+l close · ctrl+o reopen · ctrl+t pause/resume · esc back"


@dataclass(frozen=True)
class SettingsRequest:
    """What to run on the campaign: `verb` is the action ("edit", "close", ...) and `args` follow its name."""

    verb: str
    args: tuple[Any, ...] = ()


class ClosingTime(ModalScreen[str | None]):
    """Asks for the closing time a reopened campaign gets; enter answers, esc cancels."""

    CSS_PATH = "campaign_settings.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, campaign: Campaign) -> None:
        super().__init__()
        self.campaign = campaign

    def compose(self) -> ComposeResult:
        with Vertical(id="closing-box", classes="modal-box"):
            yield Label(plain(f"Reopen {self.campaign.name!r} until (in {self.campaign.timezone}):"))
            yield Input(placeholder="YYYY-MM-DD HH:MM or YYYY-MM-DD", id="closing-time")
            yield Label("enter reopen · esc cancel", classes="settings-hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class CampaignSettings(ModalScreen[SettingsRequest | None]):
    """Every setting of a campaign; a manager edits (ctrl+s) and closes, reopens, pauses or resumes it."""

    CSS_PATH = "campaign_settings.tcss"
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("ctrl+l", "state('close')", "Close campaign", priority=True),
        Binding("ctrl+o", "state('reopen')", "Reopen campaign", priority=True),
        Binding("ctrl+t", "state('pause')", "Pause/resume", priority=True),
        Binding("escape", "cancel", "Back"),
    ]

    def __init__(self, campaign: Campaign, refusal: str = "") -> None:
        super().__init__()
        self.campaign, self.refusal = campaign, refusal
        self.before = prefilled(campaign)

    def compose(self) -> ComposeResult:
        campaign, read_only = self.campaign, bool(self.refusal)
        with Vertical(id="settings-box"):
            title = f"Settings of {campaign.name} · {state_text(campaign)}"
            yield Label(plain(title), classes="settings-title")
            if read_only:
                yield Label(plain(self.refusal), id="settings-refusal")
            yield Label("esc back" if read_only else HINT, classes="settings-hint")
            with VerticalScroll(id="settings-fields"):
                for name, label, kind in FIELDS:
                    with Horizontal(classes=f"settings-row {kind}"):
                        yield Label(label)
                        yield self._field(name, kind, read_only)
                with Horizontal(classes="settings-row fixed"):
                    yield Label("collaboration")
                    yield Label(plain(campaign.collaborated_at or "not started"), id="settings-collaborated")

    def _field(self, name: str, kind: str, read_only: bool) -> Input | Switch | TextArea:
        value = self.before[name]
        field_id = f"setting-{name}"
        if isinstance(value, bool):
            return Switch(value, id=field_id, disabled=read_only)
        if kind in ("lines", "windows"):
            return TextArea(value, id=field_id, disabled=read_only, soft_wrap=True, compact=True)
        # An empty instant must not read as a value: the dim placeholder says "not set" first.
        placeholder = f"not set (YYYY-MM-DD HH:MM in {self.campaign.timezone})" if kind == "instant" else ""
        return Input(value, id=field_id, disabled=read_only, placeholder=placeholder, compact=True)

    def typed(self) -> dict[str, str | bool]:
        """What every field holds now."""
        values: dict[str, str | bool] = {}
        for name, _label, _kind in FIELDS:
            widget = self.query_one(f"#setting-{name}")
            if isinstance(widget, TextArea):
                values[name] = widget.text
            elif isinstance(widget, Switch):
                values[name] = widget.value
            else:
                values[name] = self.query_one(f"#setting-{name}", Input).value
        return values

    def action_save(self) -> None:
        if self.refusal:
            self._attempt(SettingsRequest("edit", ({},)))
            return
        try:
            given = changed_settings(self.before, self.typed())
        except UserError as error:
            self.notify(error.sentence, severity="error", timeout=10)
            return
        if not given:
            self.notify(f"No setting of {self.campaign.name} was changed; nothing saved.")
            self.dismiss(None)
            return
        self.dismiss(SettingsRequest("edit", (given,)))

    def action_state(self, verb: str) -> None:
        """Close, reopen, pause or resume, confirmed with the campaign named."""
        campaign = self.campaign
        if verb == "pause" and campaign.status == "paused":
            verb = "resume"
        if self.refusal:
            self._attempt(SettingsRequest(verb, ("",) if verb == "reopen" else ()))
            return
        if verb != "reopen":
            self._confirm(SettingsRequest(verb), QUESTIONS[verb].format(name=campaign.name), verb.title())
            return
        if campaign.status != "closed":
            self.notify(f"{campaign.name} is {state_text(campaign)}, not closed; change its closing time "
                        f"in the closes field.", severity="warning")
            return

        def answered(closes: str | None) -> None:
            if closes:
                question = QUESTIONS["reopen"].format(name=campaign.name, closes=closes,
                                                      zone=campaign.timezone)
                self._confirm(SettingsRequest("reopen", (closes,)), question, "Reopen")

        self.app.push_screen(ClosingTime(campaign), answered)

    def _attempt(self, request: SettingsRequest) -> None:
        """A read-only viewer's try: the action itself refuses it, in one sentence and the audit trail."""
        self.dismiss(request)

    def _confirm(self, request: SettingsRequest, question: str, button: str) -> None:
        def answered(confirmed: bool | None) -> None:
            if confirmed:
                self.dismiss(request)

        self.app.push_screen(ConfirmScreen(question, button), answered)

    def action_cancel(self) -> None:
        self.dismiss(None)


QUESTIONS = {
    "close": "Close {name!r} now?\n\nIt takes no new candidates and its unsent outreach is skipped; "
             "ctrl+o reopens it with a new closing time.",
    "reopen": "Reopen {name!r} until {closes} ({zone})?\n\nIt takes candidates and plans invitations "
              "again from the next planning day.",
    "pause": "Pause {name!r}?\n\nNothing is planned or sent for it until it is resumed (ctrl+t again).",
    "resume": "Resume {name!r}?\n\nIts queued mail goes out again within its windows.",
}
