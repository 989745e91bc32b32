"""Writing from the Inbox: the reply, compose and bulk flows, each a `ComposeModal` that hands back
what to queue once the rendered preview is confirmed (the screen then calls one action)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from mailer.actions import inbox as inbox_actions
from mailer.bulk import TEMPLATE_KINDS
from mailer.compose import Draft
from mailer.outgoing_files import OutgoingFile, read_files
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
    files: tuple[OutgoingFile, ...] = ()


@dataclass(frozen=True)
class Outgoing:
    """A confirmed reply or new message and the files read for it (queued by `queue_drafts`)."""

    drafts: list[Draft]
    files: tuple[OutgoingFile, ...] = ()


def _attached(files: tuple[OutgoingFile, ...]) -> str:
    return "\n\nAttached: " + ", ".join(file.label for file in files) if files else ""


def _single(drafts: list[Draft], written: Written) -> Preview[Outgoing]:
    files = tuple(read_files(written.attach))  # read once here; a bad file is one sentence
    return Preview("Queue this message?", data.preview_text(drafts) + _attached(files), 1,
                   Outgoing(drafts, files))


def reply_flow(store: Store, started: ReplyPrepared) -> ComposeModal[Outgoing]:
    """A reply under the message it answers, the quote below the cursor."""
    def prepare(written: Written) -> Preview[Outgoing]:
        return _single(data.reply_drafts(store, started.influencer_id, started.message_row,
                                         written.subject, written.body), written)

    return ComposeModal("Reply", started.to_line, prepare, started.subject, f"\n\n{started.quote}\n",
                        cursor_at_start=True)


def compose_flow(store: Store, row: ConversationRow, campaign_id: int | None) -> ComposeModal[Outgoing]:
    """A new message to the current conversation's influencer, optionally from a template."""
    influencer_id = row.influencer_id

    def prepare(written: Written) -> Preview[Outgoing]:
        return _single(data.compose_drafts(store, influencer_id, campaign_id, written.subject, written.body),
                       written)

    def load(kind: str) -> tuple[str, str]:
        return data.template_source(store, data.compose_campaign(store, influencer_id, campaign_id), kind)

    return ComposeModal(f"New message to {row.handle}", f"To: {row.email or '(no email)'}", prepare,
                        kinds=TEMPLATE_KINDS, load_template=load)


def bulk_flow(store: Store, tagged: list[int], campaign_id: int | None) -> ComposeModal[BulkDraft]:
    """One templated message to each tagged influencer; who cannot get one is listed in the preview."""
    def prepare(written: Written) -> Preview[BulkDraft]:
        files = tuple(read_files(written.attach))  # read once, for every copy
        plan = inbox_actions.plan_bulk(store, tagged, campaign_id, written.subject, written.body)
        problems = [f"Cannot email {handle}: {reason}" for handle, reason in plan.problems]
        draft = BulkDraft(tagged, campaign_id, written.subject, written.body, plan.count, files)
        question = f"Queue {plan.count} message{'s' * (plan.count != 1)}?"
        return Preview(question, data.preview_text(plan.drafts) + _attached(files), plan.count, draft,
                       problems)

    return ComposeModal(f"Bulk email to {len(tagged)} tagged", "Each gets their own copy.", prepare,
                        kinds=TEMPLATE_KINDS, load_template=partial(data.template_source, store, campaign_id))
