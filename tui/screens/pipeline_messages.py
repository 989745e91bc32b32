"""What the Pipeline pane's read workers report back to it (past tense: it already happened).

Its writes report through `tui.action_worker.ActionFinished`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.message import Message

from store.campaigns import Campaign
from store.pipeline_view import ApplicationRow, Profile, View

if TYPE_CHECKING:  # the decisions' module loads with the first decision, not at start-up
    from mailer.actions.pipeline import CollaborationPreview, DecisionCheck


class CampaignsLoaded(Message):
    """The campaign picker's choices: (name, id); `page_follows`: the first one's PageLoaded comes next."""

    def __init__(self, choices: list[tuple[str, int]], page_follows: bool = False) -> None:
        super().__init__()
        self.choices, self.page_follows = choices, page_follows


class PageLoaded(Message):
    """One page of applications with the counters and the per-day series; `cursor` None: a refresh.

    `total` and `offset` are None when counting them means reading many rows: `PageCounted` follows.
    """

    def __init__(self, view: View, fetch: dict[str, Any], rows: list[ApplicationRow], total: int | None,
                 offset: int | None, counters: dict, per_day: list[int], cursor: int | None) -> None:
        super().__init__()
        self.view, self.fetch, self.rows, self.total, self.offset = view, fetch, rows, total, offset
        self.counters, self.per_day, self.cursor = counters, per_day, cursor


class PageCounted(Message):
    """How many rows the view has and how many come before the page shown (after its rows were painted)."""

    def __init__(self, view: View, fetch: dict[str, Any], total: int, offset: int) -> None:
        super().__init__()
        self.view, self.fetch, self.total, self.offset = view, fetch, total, offset


class ProfileLoaded(Message):
    """The side panel's data for one application, with its agreement deadline in the campaign's time."""

    def __init__(self, data: Profile, deadline: str = "") -> None:
        super().__init__()
        self.data, self.deadline = data, deadline


class DecisionChecked(Message):
    """An irreversible decision was checked against the rules; nothing has changed yet."""

    def __init__(self, campaign: str, decision: str, check: DecisionCheck) -> None:
        super().__init__()
        self.campaign, self.decision, self.check = campaign, decision, check


class CollaborationPreviewed(Message):
    """What starting the collaboration would do was counted; nothing has changed yet."""

    def __init__(self, preview: CollaborationPreview) -> None:
        super().__init__()
        self.preview = preview


class SettingsLoaded(Message):
    """The campaign for its settings screen, and why its reader may not change it ("" if they may)."""

    def __init__(self, campaign: Campaign, refusal: str) -> None:
        super().__init__()
        self.campaign, self.refusal = campaign, refusal


class DatabaseChanged(Message):
    """Someone (another process, the daemon, this app's own writer) committed a change."""
