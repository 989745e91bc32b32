"""The Inbox mode: conversations on the left, the merged timeline on the right, contact data beside it."""

from __future__ import annotations

from contextlib import suppress
from functools import partial
from pathlib import Path
from typing import Any

from textual import on, work
from textual._context import NoActiveAppError
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, OptionList, Static

from mailer.actions import attachments as attachment_actions
from mailer.actions import contacts, reply_signals
from mailer.actions import inbox as inbox_actions
from mailer.attachment_saving import default_folder
from store.contact import InfluencerCard
from store.contact_edit import ContactChange
from store.conversations import Cursor, InboxFilter, cursor_after, split_search
from store.db import Store
from store.errors import UserError
from store.watch import DataVersion
from tui.action_worker import ActionFinished, app_store, run_action
from tui.escape import EscapeSteps, EscState
from tui.screens import inbox_data as data
from tui.screens import inbox_pickers as pickers
from tui.screens import inbox_writing as writing
from tui.screens.contact_editor import ContactEditor
from tui.screens.inbox_messages import (
    ConversationOpened,
    ConversationsChanged,
    ConversationsLoaded,
    ReplyPrepared,
)
from tui.screens.inbox_modals import FilterModal, FolderModal, NoteModal, PickModal
from tui.screens.mode_where import inbox_where
from tui.times import operator_zone
from tui.widgets.confirm import ConfirmScreen
from tui.widgets.contact_panel import ContactPanel
from tui.widgets.conversation_list import ConversationList
from tui.widgets.footer import KeyFooter
from tui.widgets.mode_bar import ModeBar
from tui.widgets.mode_header import ModeHeader
from tui.widgets.timeline_view import TimelineView

# A single move opens its conversation at once; moves closer together than this (a held key) are
# one burst, which loads only where the cursor comes to rest.
OPEN_DELAY = 0.15
WATCH_SECONDS = 2.0  # how often to ask SQLite whether anyone else wrote


class InboxScreen(EscapeSteps, Screen[None]):
    """Conversations, unread first; every change is one action run in a worker."""

    MODE = "inbox"  # the mode its header names

    CSS_PATH = "inbox.tcss"
    BINDINGS = [
        Binding("slash", "search", "Search", key_display="/"),
        Binding("backslash", "filter", "Filter", key_display="\\"),
        Binding("r", "reply", "Reply"),
        Binding("c", "compose", "Compose"),
        Binding("N", "toggle_unread", "Unread"),
        Binding("b", "bookmark", "Bookmark"),
        Binding("t", "tag", "Tag"),
        Binding("B", "bulk", "Bulk email"),
        Binding("n", "note", "Note"),
        Binding("I", "add_to_campaign", "Add to campaign", key_display="I"),
        Binding("u", "unmatched", "Unmatched mail"),
        Binding("exclamation_mark", "bounces", "Bounces", key_display="!"),
        Binding("s", "sync", "Sync mail"),
        Binding("i", "toggle_panel", "Side panel"),
        Binding("e", "edit_contact", "Edit contact"),
        # The mark on their latest reply (store/reply_marks.py); later guesses never replace it.
        Binding("plus", "mark_reply('positive')", "Mark reply positive", key_display="+"),
        Binding("minus", "mark_reply('negative')", "Mark reply negative", key_display="-"),
        Binding("0", "mark_reply('neutral')", "Mark reply neutral", key_display="0"),
        Binding("d", "save_attachments", "Save files"),
        Binding("ctrl+r", "reload", "Reload", show=False),
        Binding("escape", "escape_step", "Back (again: clear the search)", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.flt = InboxFilter()
        self._open_timer: Timer | None = None  # running while the cursor moves in a burst
        self._open_pending = False  # the burst moved past what was opened
        self._wanted_id: int | None = None  # the conversation asked for (or being loaded)
        self._shown_id: int | None = None
        self._card: InfluencerCard | None = None
        self._watcher: DataVersion | None = None
        self._summary = ""  # the list's summary line, without the tag count
        self._applied_search = ""  # the search bar's text when it was applied (what is in force)
        self._panel_opened = False  # the side panel was opened with `i` (not shown by the layout)
        self._campaign_names: dict[int, str] = {}  # the filter's choices, for the tab bar
        # A new mode's screen makes Textual reparse every stylesheet and restyle the whole app
        # (its count starts at -1), about 0.3 s here; the styles are current and this screen's
        # own are applied as it mounts, so it starts as up to date as the app.
        with suppress(NoActiveAppError):
            self._css_update_count = self.app._css_update_count

    def compose(self) -> ComposeResult:
        yield ModeHeader()
        yield ModeBar(inbox_where(self.flt, None))
        with Horizontal(id="inbox-body"):
            with Vertical(id="inbox-left"):
                yield Input(placeholder="words, or tag:beauty …", id="inbox-search", classes="hidden")
                yield Static("Loading…", classes="summary", id="inbox-summary")
                yield ConversationList(id="inbox-list")
            yield TimelineView(id="inbox-timeline")
            with VerticalScroll(id="inbox-side"):
                yield ContactPanel(id="inbox-panel")
        yield KeyFooter()

    @property
    def store(self) -> Store:
        return app_store(self)

    @property
    def conversations(self) -> ConversationList:
        return self.query_one(ConversationList)

    def on_mount(self) -> None:
        self.query_one("#inbox-side").display = self.app.size.width >= 100
        self.conversations.focus()
        self._watcher = DataVersion(self.store.path)
        self.set_interval(WATCH_SECONDS, self.watch_database)
        self.action_reload()

    def on_unmount(self) -> None:
        if self._watcher is not None:
            self._watcher.close()

    @work(thread=True, exclusive=True, group="inbox-watch")
    def watch_database(self) -> None:
        """Replies synced by the daemon, another operator's changes: refresh by ourselves."""
        # A hidden mode waits: the change is still pending when it comes back into view.
        if self.is_current and self._watcher is not None and self._watcher.changed():
            self.post_message(ConversationsChanged())

    # Loading -----------------------------------------------------------------

    def action_reload(self) -> None:
        listing = self.conversations
        self.load_list(self.flt, None, listing.current_id(), len(listing.rows))

    @work(thread=True, exclusive=True, group="inbox-list")
    def load_list(self, flt: InboxFilter, after: Cursor | None, keep: int | None = None,
                  size: int = 0) -> None:
        """A page of the list (on a reload, as many rows as were loaded); a fresh list also
        brings the conversation the cursor will be on."""
        page = data.load_page(self.store, flt, after, size)
        self.post_message(ConversationsLoaded(page.rows, after is not None, page.more, page.summary))
        if after is None:
            ids = [row.influencer_id for row in page.rows]
            chosen = keep if keep in ids else (ids[0] if ids else None)
            if chosen is not None:
                entries, card = data.open_conversation(self.store, chosen, flt.campaign_id, False)
                self.post_message(ConversationOpened(chosen, entries, card))

    def on_conversations_loaded(self, message: ConversationsLoaded) -> None:
        self.conversations.zone, self.conversations.now = operator_zone(self.app), self.store.clock.now()
        self.conversations.show(message.rows, append=message.append, more=message.more)
        if not message.append:
            self._wanted_id = self.conversations.current_id()  # what `load_list` opens with the page
            campaign = self._campaign_names.get(self.flt.campaign_id) if self.flt.campaign_id else None
            self.query_one(ModeBar).show(inbox_where(self.flt, campaign))
        empty = "No conversations match." if self.flt != InboxFilter() else "No conversations yet."
        self._summary = message.summary if self.conversations.rows else empty
        self._show_summary()
        if not self.conversations.rows:
            self._show(None, [], None)

    def _show_summary(self) -> None:
        """The list's summary and how many are tagged: tags are ids, kept through a search that
        hides them, and `B` writes to all of them."""
        tagged = len(self.conversations.tagged)
        self.query_one("#inbox-summary", Static).update(
            self._summary + (f" · {tagged} tagged" if tagged else ""))

    @on(ConversationList.NeedMore)
    def load_more(self) -> None:
        rows = self.conversations.rows
        if rows:
            self.load_list(self.flt, cursor_after(rows[-1]))

    @on(OptionList.OptionHighlighted, "#inbox-list")
    def _schedule_open(self) -> None:
        """Leading edge: a move loads at once and opens a burst; moves within it wait for its end."""
        if self._open_timer is not None:
            self._open_timer.stop()
            self._open_timer = self.set_timer(OPEN_DELAY, self._burst_over)
            self._open_pending = True
        elif self._open_if_moved():
            self._open_timer = self.set_timer(OPEN_DELAY, self._burst_over)

    def _burst_over(self) -> None:
        self._open_timer = None
        if self._open_pending:
            self._open_pending = False
            self._open_if_moved()

    def _open_if_moved(self) -> bool:
        if self.conversations.current_id() in (self._shown_id, self._wanted_id):
            return False
        self.open_current(False)
        return True

    def open_current(self, mark_read: bool) -> None:
        influencer_id = self.conversations.current_id()
        if influencer_id is not None:
            self._wanted_id = influencer_id
            self.load_conversation(influencer_id, self.flt.campaign_id, mark_read)

    @work(thread=True, exclusive=True, group="inbox-open")
    def load_conversation(self, influencer_id: int, campaign_id: int | None, mark_read: bool) -> None:
        entries, card = data.open_conversation(self.store, influencer_id, campaign_id, mark_read)
        self.post_message(ConversationOpened(influencer_id, entries, card))
        if mark_read:
            self.post_message(ConversationsChanged())

    def on_conversations_changed(self) -> None:
        self.action_reload()

    def on_conversation_opened(self, message: ConversationOpened) -> None:
        if message.influencer_id == self.conversations.current_id():
            self._show(message.influencer_id, message.entries, message.card)
        elif message.influencer_id == self._wanted_id:
            self._wanted_id = None  # the cursor left it: coming back must load it again

    def _show(self, influencer_id: int | None, entries: list[dict], card: InfluencerCard | None) -> None:
        self._shown_id, self._card = influencer_id, card
        self.query_one(TimelineView).show(entries, operator_zone(self.app))
        self.query_one(ContactPanel).show(card)

    @on(OptionList.OptionSelected, "#inbox-list")
    def action_open(self) -> None:
        """Enter: open the conversation and mark it read."""
        self.open_current(True)

    # Search and filter -------------------------------------------------------

    def action_search(self) -> None:
        search = self.query_one("#inbox-search", Input)
        search.remove_class("hidden")
        search.focus()

    @on(Input.Submitted, "#inbox-search")
    def apply_search(self, event: Input.Submitted) -> None:
        try:
            words, query = split_search(event.value) if event.value.strip() else ("", "")
        except UserError as error:
            self.notify(error.sentence, severity="error")
            return
        self.flt = InboxFilter(self.flt.campaign_id, self.flt.bookmarked, self.flt.unread_only, words, query)
        self._applied_search = event.value.strip() if words or query else ""
        self.conversations.focus()
        self.action_reload()

    # esc (tui/escape.py): the search bar is the input, the side panel (when `i` opened it) the panel.

    def esc_state(self) -> EscState:
        search = self.query_one("#inbox-search", Input)
        return EscState(in_input=search.has_focus, typed=bool(search.value.strip()),
                        on_list=self.conversations.has_focus,
                        panel_open=self._panel_opened and self.query_one("#inbox-side").display,
                        in_force=bool(self.flt.text or self.flt.query))

    def esc_leave_input(self) -> None:
        search = self.query_one("#inbox-search", Input)
        search.value = self._applied_search  # typed but not applied is dropped: it shows what is in force
        search.set_class(not self._applied_search, "hidden")

    def esc_clear(self) -> None:
        search = self.query_one("#inbox-search", Input)
        search.value, self._applied_search = "", ""
        search.add_class("hidden")
        if self.flt.text or self.flt.query:
            self.flt = InboxFilter(self.flt.campaign_id, self.flt.bookmarked, self.flt.unread_only)
            self.action_reload()

    def esc_close_panel(self) -> None:
        self.action_toggle_panel()

    def esc_focus_list(self) -> None:
        self.conversations.focus()

    # Actions on the current conversation -------------------------------------

    def _current(self) -> int | None:
        influencer_id = self.conversations.current_id()
        if influencer_id is None:
            self.notify("Select a conversation first.", severity="warning")
        return influencer_id

    def action_toggle_unread(self) -> None:
        if (influencer_id := self._current()) is not None:
            run_action(self, "inbox-action", inbox_actions.toggle_unread, influencer_id)

    def action_bookmark(self) -> None:
        if (influencer_id := self._current()) is not None:
            run_action(self, "inbox-action", inbox_actions.toggle_bookmark, influencer_id)

    def action_note(self) -> None:
        row = self.conversations.current_row()
        if row is None:
            self._current()
            return
        self.app.push_screen(NoteModal(row.handle), partial(self._noted, row.handle))

    def _noted(self, handle: str, text: str | None) -> None:
        if text:
            run_action(self, "inbox-action", inbox_actions.add_note, handle, text)

    def action_tag(self) -> None:
        if (influencer_id := self._current()) is None:
            return
        tagged = self.conversations.tagged
        tagged.symmetric_difference_update({influencer_id})
        self.conversations.refresh_row(influencer_id)
        self.conversations.action_cursor_down()
        self._show_summary()
        self.notify(f"{len(tagged)} tagged for a bulk email (B).", timeout=2)

    def action_edit_contact(self) -> None:
        """The contact editor on the card shown; `contacts.edit` checks the role and every value."""
        card = self._card
        if card is None or card.influencer_id != self.conversations.current_id():
            self._current()
            return

        def edited(change: ContactChange | None) -> None:
            if change is not None:
                run_action(self, "inbox-action", contacts.edit, card.handle, change)

        self.app.push_screen(ContactEditor(card), edited)

    def action_mark_reply(self, signal: str) -> None:
        if (influencer_id := self._current()) is not None:
            run_action(self, "inbox-action", reply_signals.mark_reply_of, influencer_id, signal,
                       self.flt.campaign_id)

    def action_toggle_panel(self) -> None:
        side = self.query_one("#inbox-side")
        side.display = not side.display
        self._panel_opened = bool(side.display)

    def action_sync(self) -> None:
        self.notify("Syncing mail…", timeout=2)
        run_action(self, "inbox-action", inbox_actions.sync_mail)

    def on_action_finished(self, message: ActionFinished) -> None:
        """Every change the Inbox makes ends here: say what it did (or why not) and refresh."""
        self.notify(message.sentence, severity=message.severity, timeout=message.timeout())
        self.action_reload()

    # Writing: each flow is a modal that returns what to queue, then one action ---------

    def action_reply(self) -> None:
        if (influencer_id := self._current()) is not None:
            self.prepare_reply(influencer_id, self.flt.campaign_id)

    @work(thread=True, group="inbox-read")
    def prepare_reply(self, influencer_id: int, campaign_id: int | None) -> None:
        row, to_line, subject, quoted = data.reply_start(self.store, influencer_id, campaign_id)
        self.post_message(ReplyPrepared(influencer_id, row, to_line, subject, quoted))

    def on_reply_prepared(self, message: ReplyPrepared) -> None:
        self.app.push_screen(writing.reply_flow(self.store, message), self._queue_drafts)

    def action_compose(self) -> None:
        row = self.conversations.current_row()
        if row is None:
            self._current()
            return
        self.app.push_screen(writing.compose_flow(self.store, row, self.flt.campaign_id), self._queue_drafts)

    def _queue_drafts(self, outgoing: writing.Outgoing | None) -> None:
        if outgoing is not None and outgoing.drafts:
            run_action(self, "inbox-action", inbox_actions.queue_drafts, outgoing.drafts, outgoing.files)

    def action_bulk(self) -> None:
        tagged = sorted(self.conversations.tagged)
        if not tagged:
            self.notify("Tag influencers with t first.", severity="warning")
            return
        self.app.push_screen(writing.bulk_flow(self.store, tagged, self.flt.campaign_id), self._queue_bulk)

    def _queue_bulk(self, bulk: writing.BulkDraft | None) -> None:
        if bulk is not None:
            self.conversations.tagged.clear()
            self._show_summary()
            run_action(self, "inbox-action", inbox_actions.queue_bulk, bulk.influencer_ids, bulk.campaign_id,
                       bulk.subject, bulk.body, bulk.count, bulk.files)

    def action_save_attachments(self) -> None:
        if (influencer_id := self._current()) is not None:
            self.offer_folder(influencer_id, self.flt.campaign_id)

    @work(thread=True, group="inbox-read")
    def offer_folder(self, influencer_id: int, campaign_id: int | None) -> None:
        """Ask where to save, offering ~/Downloads (or the current folder), looked up off the UI thread."""
        folder = str(default_folder())
        self.app.call_from_thread(self._ask_folder, influencer_id, campaign_id, folder)

    def _ask_folder(self, influencer_id: int, campaign_id: int | None, folder: str) -> None:
        def chosen(answer: str | None) -> None:
            if answer:
                run_action(self, "inbox-action", attachment_actions.save_latest, influencer_id, campaign_id,
                           Path(answer).expanduser())

        self.app.push_screen(FolderModal("Save the files of their newest mail with attachments to…", folder),
                             chosen)

    # Pickers: the filter, invite to a campaign, attach stray mail, the bounce inspector ------

    def action_filter(self) -> None:
        self.load_picker("filter")

    def action_add_to_campaign(self) -> None:
        if self.conversations.current_row() is None:
            self._current()
            return
        self.load_picker("invite")

    def action_unmatched(self) -> None:
        self.load_picker("unmatched")

    def action_bounces(self) -> None:
        self.load_picker("bounces")

    @work(thread=True, group="inbox-read")
    def load_picker(self, which: str) -> None:
        """Load campaigns, stray mail or bounces off the UI thread, then show them to pick from."""

        # call_from_thread: the worker lasts until the picker is up (tests wait on workers).
        offered = pickers.items(self.store, which, operator_zone(self.app))
        self.app.call_from_thread(self._picker_loaded, which, offered)

    def _picker_loaded(self, which: str, items: list[pickers.Item]) -> None:
        row = self.conversations.current_row()
        if which == "filter":
            current = (self.flt.campaign_id, self.flt.bookmarked, self.flt.unread_only)
            choices = [(label, value) for label, value, _ in items]
            self._campaign_names = {value: label for label, value in choices}
            self.app.push_screen(FilterModal(choices, current), self._filtered)
        elif not items:
            self.notify(pickers.EMPTY.get(which, "There is no campaign yet."),
                        severity="warning" if which == "invite" else "information")
        elif which == "invite" and row is not None:
            modal = PickModal(f"Invite {row.handle} to…", "enter invite · esc cancel", items)
            self.app.push_screen(modal, partial(self._invite, row.influencer_id))
        elif which == "unmatched":
            where = f"attach to {row.handle}" if row else "select a conversation to attach to"
            modal = PickModal("Mail that matched nobody", f"enter {where} · esc close", items)
            self.app.push_screen(modal, self._attach_stray)
        elif which == "bounces":
            modal = PickModal("Bounce inspector", "enter clear a false positive · esc close", items)
            self.app.push_screen(modal, self._clear_bounce)

    def _filtered(self, chosen: tuple[int | None, bool, bool] | None) -> None:
        if chosen is not None:
            self.flt = InboxFilter(*chosen, self.flt.text, self.flt.query)
            self.action_reload()

    def _invite(self, influencer_id: int, campaign_id: int | None) -> None:
        if campaign_id is not None:
            run_action(self, "inbox-action", inbox_actions.invite, campaign_id, influencer_id)

    def _attach_stray(self, message_row: int | None) -> None:
        row = self.conversations.current_row()
        if message_row is not None and row is not None:
            run_action(self, "inbox-action", inbox_actions.attach, message_row, row.handle)

    def _clear_bounce(self, handle: Any) -> None:
        if handle is None:
            return
        if handle == pickers.UNVERIFIED:
            self.notify("This report refers to no mail we sent them: it suppressed nobody, "
                        "so there is nothing to clear.")
            return

        def answered(yes: bool | None) -> None:
            if yes:
                run_action(self, "inbox-action", inbox_actions.clear_bounce, handle)

        self.app.push_screen(ConfirmScreen(f"Clear the bounce on {handle}?", "Clear",
                                           preview="They will be emailed again."), answered)
