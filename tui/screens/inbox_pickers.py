"""The Inbox's pickers: the filter, invite to a campaign, attach stray mail, the bounce inspector."""

from __future__ import annotations

from functools import partial

from textual import work

from store.conversations import InboxFilter
from tui.screens import inbox_data as data
from tui.screens.inbox_modals import ConfirmModal, FilterModal, PickModal
from tui.visible import visible

# The value an unverified report stands for in the bounce inspector (nothing to clear).
UNVERIFIED = ("unverified",)


def _bounce_item(row: dict) -> tuple[str, object, str]:
    """(label, value, detail) of one inspector row: a bounced influencer, or an unverified report."""
    detail = f"{row['bounce_reason'] or ''}\n\n{row['report']}"
    if row["state"] == "unverified":
        named = row["handle"] or "nobody we know"
        return (visible(f"unverified  {row['email'] or '?'}  ({named})"), UNVERIFIED,
                "Unverified: it refers to no mail we sent, so nobody was suppressed.\n"
                + visible(detail, lines=True))
    return (visible(f"{row['handle']}  {row['email'] or ''}"), row["handle"], visible(detail, lines=True))


class InboxPickers:
    """Choose-one dialogs of the Inbox screen (a mixin: it uses the screen's list and workers)."""

    def action_filter(self) -> None:
        self.show_picker("filter")

    def _filtered(self, chosen: tuple[int | None, bool, bool] | None) -> None:
        if chosen is not None:
            self.flt = InboxFilter(*chosen, self.flt.text, self.flt.query)
            self.action_reload()

    def action_add_to_campaign(self) -> None:
        if self.conversations.current_row() is None:
            self._current()
            return
        self.show_picker("invite")

    def _invite(self, influencer_id: int, campaign_id: int | None) -> None:
        if campaign_id is not None:
            self.run_action_worker(partial(data.invite, self.store, campaign_id, influencer_id))

    def action_unmatched(self) -> None:
        self.show_picker("unmatched")

    def action_bounces(self) -> None:
        self.show_picker("bounces")

    @work(thread=True, group="inbox-action")
    def show_picker(self, which: str) -> None:
        """Load campaigns, stray mail or bounces off the UI thread, then show them to pick from."""
        if which in ("filter", "invite"):
            items = [(name, campaign_id, "") for name, campaign_id in data.campaign_choices(self.store)]
        elif which == "unmatched":
            items = [(f"{m['created_at'][:10]}  {m['from_addr'] or '?'}  {m['subject'][:40]}", m["id"],
                      f"{m['from_name']} <{m['from_addr']}>\n{m['subject']}")
                     for m in data.unmatched(self.store)]
        else:
            items = [_bounce_item(row) for row in data.bounce_rows(self.store)]
        self.app.call_from_thread(self._picker_loaded, which, items)

    def _picker_loaded(self, which: str, items: list) -> None:
        if which == "filter":
            current = (self.flt.campaign_id, self.flt.bookmarked, self.flt.unread_only)
            choices = [(label, value) for label, value, _ in items]
            self.app.push_screen(FilterModal(choices, current), self._filtered)
            return
        if which == "invite":
            row = self.conversations.current_row()
            if not items:
                self.notify("There is no campaign yet.", severity="warning")
            elif row is not None:
                modal = PickModal(f"Invite {row['handle']} to…", "enter invite · esc cancel", items)
                self.app.push_screen(modal, partial(self._invite, row["influencer_id"]))
            return
        if not items:
            self.notify("No unmatched mail." if which == "unmatched"
                        else "Nobody is marked bounced and no report is waiting.")
            return
        if which == "unmatched":
            target = self.conversations.current_row()
            where = f"attach to {target['handle']}" if target else "select a conversation to attach to"
            modal = PickModal("Mail that matched nobody", f"enter {where} · esc close", items)
            self.app.push_screen(modal, self._attach_stray)
        else:
            modal = PickModal("Bounce inspector", "enter clear a false positive · esc close", items)
            self.app.push_screen(modal, self._clear_bounce)

    def _attach_stray(self, message_row: int | None) -> None:
        influencer_id = self.conversations.current_id()
        if message_row is not None and influencer_id is not None:
            self.run_action_worker(partial(data.attach, self.store, message_row, influencer_id))

    def _clear_bounce(self, handle: str | None) -> None:
        if handle is None:
            return
        if handle == UNVERIFIED:
            self.notify("This report refers to no mail we sent them: it suppressed nobody, "
                        "so there is nothing to clear.")
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.run_action_worker(partial(data.clear_bounce, self.store, handle))

        self.app.push_screen(ConfirmModal(f"Clear the bounce on {handle}?",
                                          "They will be emailed again.", []), answered)
