"""Writing from the Inbox: the reply, compose and bulk flows, each a `ComposeModal` that hands back
what to queue once the rendered preview is confirmed (the screen then calls one action)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from mailer.actions import inbox as inbox_actions
from mailer.bulk import TEMPLATE_KINDS
from mailer.compose import Draft
from store.conversations import ConversationRow
from store.db import Store
from tui.screens import inbox_data as data
from tui.screens.compose_modal import ComposeModal, Preview, Written
from tui.screens.inbox_messages import ReplyPrepared


@dataclass(frozen=True)
class BulkDraft:
    """A confirmed bulk email: queued by `queue_bulk` only if the count is still `count`."""

    influencer_ids: list[int]
    campaign_id: int | None
    subject: str
    body: str
    count: int


def _single(drafts: list[Draft]) -> Preview[list[Draft]]:
    return Preview("Queue this message?", data.preview_text(drafts), 1, drafts)


def reply_flow(store: Store, started: ReplyPrepared) -> ComposeModal[list[Draft]]:
    """A reply under the message it answers, the quote below the cursor."""
    def prepare(written: Written) -> Preview[list[Draft]]:
        return _single(data.reply_drafts(store, started.influencer_id, started.message_row,
                                         written.subject, written.body))

    return ComposeModal("Reply", started.to_line, prepare, started.subject, f"\n\n{started.quote}\n",
                        cursor_at_start=True)


def compose_flow(store: Store, row: ConversationRow, campaign_id: int | None) -> ComposeModal[list[Draft]]:
    """A new message to the current conversation's influencer, optionally from a template."""
    influencer_id = row.influencer_id

    def prepare(written: Written) -> Preview[list[Draft]]:
        return _single(data.compose_drafts(store, influencer_id, campaign_id, written.subject, written.body))

    def load(kind: str) -> tuple[str, str]:
        return data.template_source(store, data.compose_campaign(store, influencer_id, campaign_id), kind)

    return ComposeModal(f"New message to {row.handle}", f"To: {row.email or '(no email)'}", prepare,
                        kinds=TEMPLATE_KINDS, load_template=load)


def bulk_flow(store: Store, tagged: list[int], campaign_id: int | None) -> ComposeModal[BulkDraft]:
    """One templated message to each tagged influencer; who cannot get one is listed in the preview."""
    def prepare(written: Written) -> Preview[BulkDraft]:
        plan = inbox_actions.plan_bulk(store, tagged, campaign_id, written.subject, written.body)
        problems = [f"Cannot email {handle}: {reason}" for handle, reason in plan.problems]
        draft = BulkDraft(tagged, campaign_id, written.subject, written.body, plan.count)
        question = f"Queue {plan.count} message{'s' * (plan.count != 1)}?"
        return Preview(question, data.preview_text(plan.drafts), plan.count, draft, problems)

    return ComposeModal(f"Bulk email to {len(tagged)} tagged", "Each gets their own copy.", prepare,
                        kinds=TEMPLATE_KINDS, load_template=partial(data.template_source, store, campaign_id))
