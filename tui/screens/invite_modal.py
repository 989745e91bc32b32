"""Inviting many to the campaign on screen: a query, a saved segment or another campaign's people.

The modal counts in a worker (`preview_invitations`) as the choice changes, shows the count,
the first names and how many are skipped, and dismisses with the source its "Invite N"
button was counted for; the Pipeline then runs `invite_many` through `run_action`.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Button, Input, Label, Select, Static

from mailer.actions.invitations import InvitationPreview, InviteSource, preview_invitations
from store import campaigns, segments, stages
from store.errors import UserError
from tui.action_worker import app_store
from tui.display import plain

KINDS = [("a query", "query"), ("a saved segment", "segment"), ("another campaign", "campaign")]
STAGE_CHOICES = [("any stage", "any"), *((stages.label(s), s) for s in stages.STAGES)]
DEBOUNCE_SECONDS = 0.4


class SourcesLoaded(Message):
    """The saved segments and the other campaigns, by name, to choose from."""

    def __init__(self, segment_names: list[str], campaign_names: list[str]) -> None:
        super().__init__()
        self.segment_names, self.campaign_names = segment_names, campaign_names


class InvitationsCounted(Message):
    """What inviting `source` would do now, or the sentence that refuses it."""

    def __init__(self, source: InviteSource, preview: InvitationPreview | None, refusal: str) -> None:
        super().__init__()
        self.source, self.preview, self.refusal = source, preview, refusal


class InviteModal(ModalScreen[InviteSource | None]):
    """Choose a source, see the count, confirm with "Invite N"; escape cancels."""

    CSS_PATH = "invite_modal.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, campaign: str) -> None:
        super().__init__()
        self.campaign = campaign
        self.counted: InviteSource | None = None  # what the Invite button would invite
        self._debounce: Timer | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="invite-box", classes="modal-box"):
            yield Label(plain(f"Invite many to {self.campaign!r}"), classes="modal-title")
            yield Select(KINDS, id="invite-kind", value="query", allow_blank=False)
            yield Input(placeholder="tag:beauty followers>=10k  (enter counts)", id="invite-query")
            yield Select[str]([], id="invite-segment", prompt="saved segment…")
            with Horizontal(id="invite-other"):
                yield Select[str]([], id="invite-campaign", prompt="campaign…")
                yield Select(STAGE_CHOICES, id="invite-stage", value="any", allow_blank=False)
            yield Static("Write a query to see how many it invites.", id="invite-preview")
            with Horizontal(id="invite-buttons"):
                yield Button("Cancel", id="invite-cancel")
                yield Button("Invite", id="invite-yes", variant="warning", disabled=True)
            # The buttons show no keys: without this line tab then enter cancels by surprise.
            yield Static("tab moves between the fields · enter on Invite N invites · esc cancels",
                         id="invite-keys")

    def on_mount(self) -> None:
        self._show_kind("query")
        self.load_sources()
        self.query_one("#invite-query", Input).focus()

    @work(thread=True, exclusive=True, group="invite-sources")
    def load_sources(self) -> None:
        db = app_store(self).reader()
        others = [row.name for row in campaigns.listing(db) if row.name != self.campaign]
        self.post_message(SourcesLoaded([row["name"] for row in segments.listing(db)], others))

    @work(thread=True, exclusive=True, group="invite-count")
    def count(self, source: InviteSource) -> None:
        try:
            preview = preview_invitations(app_store(self), self.campaign, source)
        except UserError as error:
            self.post_message(InvitationsCounted(source, None, error.sentence))
            return
        self.post_message(InvitationsCounted(source, preview, ""))

    def on_sources_loaded(self, message: SourcesLoaded) -> None:
        self.query_one("#invite-segment", Select).set_options((plain(n), n) for n in message.segment_names)
        self.query_one("#invite-campaign", Select).set_options((plain(n), n) for n in message.campaign_names)

    def source(self) -> InviteSource | None:
        """The source the fields describe, or None while it is not complete."""
        kind = self.query_one("#invite-kind", Select).value
        if kind == "query":
            text = self.query_one("#invite-query", Input).value.strip()
            return InviteSource(query=text) if text else None
        if kind == "segment":
            name = self.query_one("#invite-segment", Select).value
            return InviteSource(segment=name) if isinstance(name, str) else None
        other = self.query_one("#invite-campaign", Select).value
        stage = self.query_one("#invite-stage", Select).value
        if not isinstance(other, str):
            return None
        return InviteSource(campaign=other, stage="" if stage == "any" else str(stage))

    def request_count(self) -> None:
        """Count the current choice (the button waits until the count is back)."""
        self.counted = None
        button = self.query_one("#invite-yes", Button)
        button.label, button.disabled = "Invite", True
        source = self.source()
        if source is None:
            self.query_one("#invite-preview", Static).update("Choose who to invite to see how many.")
            return
        self.query_one("#invite-preview", Static).update("Counting…")
        self.count(source)

    def on_invitations_counted(self, message: InvitationsCounted) -> None:
        if message.source != self.source():
            return  # the choice changed while this was counted
        shown, button = self.query_one("#invite-preview", Static), self.query_one("#invite-yes", Button)
        shown.set_class(message.preview is None or not message.preview.count, "refused")
        if message.preview is None:
            shown.update(plain(message.refusal))
            return
        preview = message.preview
        shown.update(plain(preview.summary if preview.count else preview.nobody()))
        button.label = f"Invite {preview.count}"
        button.disabled = not preview.count
        self.counted = message.source if preview.count else None

    def _show_kind(self, kind: object) -> None:
        self.query_one("#invite-query").display = kind == "query"
        self.query_one("#invite-segment").display = kind == "segment"
        self.query_one("#invite-other").display = kind == "campaign"

    @on(Select.Changed, "#invite-kind")
    def _kind_chosen(self, event: Select.Changed) -> None:
        self._show_kind(event.value)
        self.request_count()

    @on(Select.Changed, "#invite-segment, #invite-campaign, #invite-stage")
    def _source_chosen(self, _event: Select.Changed) -> None:
        self.request_count()

    @on(Input.Changed, "#invite-query")
    def _query_typed(self, _event: Input.Changed) -> None:
        # Count once typing pauses, not on every key.
        if self._debounce is not None:
            self._debounce.stop()
        self._debounce = self.set_timer(DEBOUNCE_SECONDS, self.request_count)

    @on(Input.Submitted, "#invite-query")
    def _query_submitted(self, _event: Input.Submitted) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        self.request_count()

    @on(Button.Pressed, "#invite-yes")
    def _confirmed(self, _event: Button.Pressed) -> None:
        if self.counted is not None:
            self.dismiss(self.counted)

    @on(Button.Pressed, "#invite-cancel")
    def _cancelled(self, _event: Button.Pressed) -> None:
        self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)
