"""Writing from the Inbox: reply, compose and bulk email, each through a modal, a rendered
preview and a confirmation, then the outbox."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual import work

from mailer.bulk import TEMPLATE_KINDS
from tui.screens import inbox_data as data
from tui.screens.compose_modal import ComposeModal, Written
from tui.screens.inbox_messages import PreviewReady, ReplyPrepared
from tui.screens.inbox_modals import ConfirmModal


class InboxWriting:
    """The writing half of the Inbox screen (a mixin: it uses the screen's list and workers)."""

    def action_reply(self) -> None:
        if (influencer_id := self._current()) is not None:
            self.prepare_reply(influencer_id, self.flt.campaign_id)

    @work(thread=True, group="inbox-action")
    def prepare_reply(self, influencer_id: int, campaign_id: int | None) -> None:
        row, to_line, subject, quoted = data.reply_start(self.store, influencer_id, campaign_id)
        self.post_message(ReplyPrepared(influencer_id, row, to_line, subject, quoted))

    def on_reply_prepared(self, message: ReplyPrepared) -> None:
        modal = ComposeModal("Reply", message.to_line, message.subject, f"\n\n{message.quote}\n",
                             cursor_at_start=True)
        self.app.push_screen(modal, partial(self._written_reply, message))

    def _written_reply(self, started: ReplyPrepared, written: Written | None) -> None:
        if written is not None:
            self.prepare_preview(lambda: data.reply_drafts(
                self.store, started.influencer_id, started.message_row, written.subject, written.body))

    def action_compose(self) -> None:
        row = self.conversations.current_row()
        if row is None:
            self._current()
            return
        influencer_id, campaign_id = row["influencer_id"], self.flt.campaign_id
        store = self.store

        def load(kind: str) -> tuple[str, str]:
            return data.template_source(store, data.compose_campaign(store, influencer_id, campaign_id), kind)

        modal = ComposeModal(f"New message to {row['handle']}", f"To: {row['email'] or '(no email)'}",
                             kinds=TEMPLATE_KINDS, load_template=load)
        self.app.push_screen(modal, partial(self._written_new, influencer_id))

    def _written_new(self, influencer_id: int, written: Written | None) -> None:
        if written is not None:
            self.prepare_preview(lambda: data.compose_drafts(
                self.store, influencer_id, self.flt.campaign_id, written.subject, written.body))

    @work(thread=True, group="inbox-action")
    def prepare_preview(self, build: Callable[[], list]) -> None:
        """Render the drafts, then ask; nothing is written until the answer is yes."""
        drafts = build()
        commit = partial(data.queue_drafts, self.store, drafts)
        self.post_message(PreviewReady("Queue this message?", data.preview_text(drafts), 1, [], commit))

    def action_bulk(self) -> None:
        tagged = sorted(self.conversations.tagged)
        if not tagged:
            self.notify("Tag influencers with t first.", severity="warning")
            return
        modal = ComposeModal(f"Bulk email to {len(tagged)} tagged", "Each gets their own copy.",
                             kinds=TEMPLATE_KINDS,
                             load_template=partial(data.template_source, self.store, self.flt.campaign_id))
        self.app.push_screen(modal, partial(self._written_bulk, tagged))

    def _written_bulk(self, tagged: list[int], written: Written | None) -> None:
        if written is not None:
            self.prepare_bulk(tagged, self.flt.campaign_id, written)

    @work(thread=True, group="inbox-action")
    def prepare_bulk(self, tagged: list[int], campaign_id: int | None, written: Written) -> None:
        plan = data.bulk_plan(self.store, tagged, campaign_id, written.subject, written.body)
        problems = [f"Cannot email {handle}: {reason}" for handle, reason in plan.problems]
        commit = partial(data.queue_bulk, self.store, tagged, campaign_id, written.subject, written.body,
                         plan.count)
        title = f"Queue {plan.count} message{'s' * (plan.count != 1)}?"
        self.post_message(PreviewReady(title, data.preview_text(plan.drafts), plan.count, problems, commit))

    def on_preview_ready(self, message: PreviewReady) -> None:
        if message.count == 0:
            first = f": {message.problems[0]}" if message.problems else "."
            self.notify(f"Nobody in the selection can be emailed{first}", severity="error")
            return

        def answered(yes: bool | None) -> None:
            if yes:
                if message.count > 1:
                    self.conversations.tagged.clear()
                self.run_action_worker(message.commit)

        self.app.push_screen(ConfirmModal(message.title, message.preview, message.problems), answered)
