"""What the Moderation screen's workers report, and the rows they turn into list items."""

from __future__ import annotations

from datetime import tzinfo

from textual.message import Message

from store import moderation as queue
from store.campaigns import zone
from store.clock import from_iso
from tui.times import shown_at, shown_time, zone_name
from tui.widgets.invitation_list import QueueItem


class QueueLoaded(Message):
    """A worker read the queue and its counters."""

    def __init__(self, items: list[QueueItem], counters: queue.Counters, notes: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.items, self.counters, self.notes = items, counters, notes


class PreviewLoaded(Message):
    """A worker read the full invitation under the cursor (None: it left the queue)."""

    def __init__(self, row: queue.Invitation | None) -> None:
        super().__init__()
        self.row = row


def to_item(row: queue.Invitation, operator: tzinfo) -> QueueItem:
    """The list's row; its send time in the operator's zone, in the one format (the preview names it)."""
    return QueueItem(
        id=row.id, campaign=row.campaign, sender=row.sender or "", handle=row.handle,
        language=row.language or "", length=row.length or 0, limit=row.invite_limit,
        status=row.status, flags=row.flags, approved_by=row.approved_by,
        when=shown_time(row.scheduled_at, operator) if row.scheduled_at else "untimed",
        languages=row.campaign_languages,
        influencer_language=row.influencer_language, moderated=row.moderation)


def send_time(row: queue.Invitation, operator: tzinfo) -> str:
    """`sends 2026-11-24 08:00 UTC`, and the time in the campaign's zone too when that is another
    (its sending window is read there); "" when it has no time yet (`queue.untimed` says why)."""
    if not row.scheduled_at:
        return ""
    moment, campaign_zone = from_iso(row.scheduled_at), zone(row.timezone)
    shown = f"sends {shown_at(moment, operator, named=True)}"
    if zone_name(campaign_zone) == zone_name(operator):
        return shown
    return f"{shown} ({moment.astimezone(campaign_zone):%H:%M} {zone_name(campaign_zone)})"
