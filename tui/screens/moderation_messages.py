"""What the Moderation screen's workers report, and the rows they turn into list items."""

from __future__ import annotations

from textual.message import Message

from store import moderation as queue
from store.campaigns import zone
from store.clock import from_iso
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


def to_item(row: queue.Invitation) -> QueueItem:
    local = from_iso(row.scheduled_at).astimezone(zone(row.timezone)) if row.scheduled_at else None
    return QueueItem(
        id=row.id, campaign=row.campaign, sender=row.sender or "", handle=row.handle,
        language=row.language or "", length=row.length or 0, limit=row.invite_limit,
        status=row.status, flags=row.flags, approved_by=row.approved_by,
        when=f"{local:%a %H:%M}" if local else "untimed",
        languages=row.campaign_languages,
        influencer_language=row.influencer_language, moderated=row.moderation)
