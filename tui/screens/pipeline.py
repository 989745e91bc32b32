"""The Pipeline mode: one campaign's candidates, counters and decisions.

All reads and writes run in thread workers that post past-tense messages; the
table holds one page (keyset-paged in SQLite), never the whole pipeline. A 1 s
timer asks SQLite's `data_version` whether anyone else wrote, and refreshes.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Input, Select, Sparkline, Static

from store import campaigns, pipeline_view, stages
from store.errors import UserError
from store.pipeline_view import ApplicationRow, View
from store.query.parser import parse_query
from store.superseded import LongRead, Superseded
from store.watch import DataVersion
from tui.action_worker import ActionFinished, app_store, run_action
from tui.display import plain
from tui.escape import EscapeSteps, EscState
from tui.screens import pipeline_decisions as questions
from tui.screens.pipeline_messages import (
    CampaignsLoaded,
    CollaborationPreviewed,
    DatabaseChanged,
    DecisionChecked,
    PageCounted,
    PageLoaded,
    ProfileLoaded,
    SettingsLoaded,
)
from tui.screens.pipeline_reads import PAGE_SIZE, Opening, offset_of, read_campaigns, read_page
from tui.times import operator_zone
from tui.widgets.footer import KeyFooter
from tui.widgets.mode_bar import ModeBar, where_line
from tui.widgets.mode_header import ModeHeader
from tui.widgets.pipeline_bits import CountersBar, ProfilePanel, table_row
from tui.widgets.pipeline_toolbar import PipelineToolbar

if TYPE_CHECKING:
    from collections.abc import Callable

    from mailer.actions.outcome import Outcome

PROFILE_WIDTH = 34  # as in pipeline.tcss
NARROW_SPARE = 10  # with fewer spare cells than this beyond 80, the source column is left out
TABLE_CHROME = 4  # cells of the screen's width the table's columns never get: its edge and the scrollbar
GIVE_WAY = ("source", "fee", "last_message", "engagement", "followers")  # when columns must go, in order
# (key, label, width): fixed widths that fit 80 columns; the tag mark leads the name.
COLUMNS = (("name", "name", 13), ("handle", "handle", 12), ("stage", "stage", 11), ("source", "src", 3),
           ("followers", "follow", 6), ("engagement", "eng.", 5), ("fee", "fee", 5),
           ("last_message", "last", 5))
STAGE_FILTERS = [("active stages", "active"), ("all stages", "all"),
                 *((stages.label(s), s) for s in stages.STAGES)]
SOURCE_FILTERS = [("any source", "any"), ("invited", "invited"), ("applied", "applied")]
STAGE_LABELS = {value: label for label, value in STAGE_FILTERS}
SORT_CYCLE = ("updated", "name", "stage", "followers", "engagement", "fee", "last_message")


def _drawn(widths: dict[str, int]) -> int:
    """The cells columns of these widths take in the table, with the space either side of each cell."""
    return sum(width + 2 for width in widths.values())


class PipelineScreen(EscapeSteps, Screen[None]):
    """Campaign picker, counters, a paged table of applications, bulk decisions and undo."""

    MODE = "pipeline"  # the mode its header names

    CSS_PATH = "pipeline.tcss"
    # Footer order = importance; hidden ones are arrows' twins. Every other key is in the palette too.
    BINDINGS = [
        Binding("space,t", "tag", "Tag", key_display="space"),
        Binding("a", "decide('accept')", "Accept"),
        Binding("r", "decide('reject')", "Reject"),
        Binding("s", "decide('shortlist')", "Shortlist"),
        Binding("d", "decide('decline')", "Decline"),
        Binding("u", "undo", "Undo"),
        Binding("slash", "search", "Search", key_display="/"),
        Binding("enter", "profile", "Profile"),
        Binding("o", "cycle_sort", "Sort"),
        Binding("c", "focus('#campaign')", "Campaign"),
        Binding("f", "focus('#stage-filter')", "Stage filter"),
        Binding("O", "reverse_sort", "Reverse order", key_display="O"),  # after the pickers: less used
        Binding("n,pagedown", "next_page", "Next page"),
        Binding("p,pageup", "previous_page", "Previous page"),
        Binding("g", "first_page", "First page"),
        Binding("G", "last_page", "Last page"),
        Binding("ctrl+r", "reload", "Reload"),
        Binding("P", "pause_resume", "Pause/resume", key_display="P"),
        Binding("i", "invite", "Invite…"),
        Binding("A", "decide('send-agreement')", "Send agreement", key_display="A"),
        Binding("S", "decide('signed')", "Signed", key_display="S"),
        Binding("R", "decide('refused')", "Refused", key_display="R"),
        Binding("C", "collaborate", "Start collaboration", key_display="C"),
        Binding("e", "campaign_settings", "Campaign settings"),
        Binding("j", "move(1)", "Down", show=False),
        Binding("k", "move(-1)", "Up", show=False),
        Binding("escape", "escape_step", "Back (again: clear the search)", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.view: View | None = None
        self.campaign_name = ""
        self.campaign_state = "open"
        self.campaign_names: dict[int, str] = {}
        self.rows: list[ApplicationRow] = []
        self.fetch: dict[str, Any] = {}
        self.tagged: dict[int, str] = {}
        self.last_batch: tuple[str, list[str]] | None = None
        self.undo_until: tuple[datetime, str] | None = None  # when the last decision's window ends, and what
        self.total = 0
        self.counted = True  # False while the total of the view shown is being counted (PageCounted)
        self.totals = pipeline_view.Totals()  # counts by filter, while the database version holds
        self.page_offset = 0
        self._widths: dict[str, int] = {}
        self._watcher: DataVersion | None = None
        self._long_read = LongRead()  # the count of the view shown, when it is read after its rows
        self._focus_on_load = False  # a search was applied: the table takes the focus with its rows

    def compose(self) -> ComposeResult:
        yield ModeHeader()
        yield ModeBar()
        yield PipelineToolbar(STAGE_FILTERS, SOURCE_FILTERS, id="toolbar")
        yield CountersBar("Loading…", id="counters")
        yield Sparkline([0], id="per-day")
        yield Input(placeholder="search: tag:beauty followers>=10000 country:FR  (enter applies, esc leaves)",
                    id="search")
        with Horizontal(id="body"):
            yield DataTable(id="applications", cursor_type="row", zebra_stripes=True)
            yield ProfilePanel(id="profile")
        yield Static("", classes="summary", id="page-info")
        yield KeyFooter()

    def on_resize(self, event: events.Resize) -> None:
        self.lay_out_columns(event.size.width)

    def lay_out_columns(self, screen_width: int) -> None:
        """Fixed widths that fit 80 columns; wider terminals give name and handle the extra room."""
        panel = self.query_one(ProfilePanel)
        spare = max(0, screen_width - (PROFILE_WIDTH if panel.display else 0) - 80)
        widths = {key: width for key, _label, width in COLUMNS}
        if spare < NARROW_SPARE:
            # Never cut a handle first: the source (also in the profile and the filter) gives way.
            widths["handle"] += widths.pop("source") + 2
        else:
            widths["name"] += min(spare // 2, 16)
            widths["handle"] += min(spare - spare // 2, 12)
        # Beside the profile at 80 columns not every column fits: the table would cut the last one shown
        # at its edge (`to revi`), so whole columns give way, least needed first.
        room = screen_width - (PROFILE_WIDTH if panel.display else 0) - TABLE_CHROME
        for key in GIVE_WAY:
            if _drawn(widths) <= room:
                break
            widths.pop(key, None)
        for key, narrowest in (("handle", 12), ("name", 8)):  # then the widest shrink: cut cells end in `…`
            widths[key] -= min(max(0, _drawn(widths) - room), max(0, widths[key] - narrowest))
        table = self.query_one(DataTable)
        if self._widths == widths:
            return
        self._widths = widths
        cursor = table.cursor_row  # clearing the columns puts the cursor back on the first row
        table.clear(columns=True)
        for key, label, _width in COLUMNS:
            if key in widths:
                table.add_column(label, key=key, width=widths[key])
        self._fill_table(table, cursor)

    def _fill_table(self, table: DataTable, cursor: int) -> None:
        if not table.columns:
            return  # the opening page can come before the first layout: the columns fill it then
        table.clear()
        zone = operator_zone(self.app)
        for row in self.rows:
            key = row.application_id
            table.add_row(*table_row(row, key in self.tagged, self._widths, zone), key=str(key))
        if self.rows:
            table.move_cursor(row=max(0, min(cursor, len(self.rows) - 1)))

    def on_mount(self) -> None:
        self._watcher = DataVersion(app_store(self).path)
        self.set_interval(1.0, self.watch_database)
        # The app's opening read (started as it was built) is usually done by now: no worker trip then.
        take = getattr(self.app, "take_opening", None)
        opening: Opening | None = take() if take is not None else None
        ready = opening.ready() if opening is not None else None
        if ready is not None:
            self._opened(*ready)
        else:
            self.load_campaigns(opening)
        self.query_one(DataTable).focus()

    def on_unmount(self) -> None:
        if self._watcher is not None:
            self._watcher.close()

    # Workers: every database access happens here, off the UI thread.

    @work(thread=True, exclusive=True, group="campaigns")
    def load_campaigns(self, opening: Opening | None = None) -> None:
        """The picker's choices; on opening, the first campaign's page too, in the same trip."""
        if opening is not None:
            choices, page = opening.wait()
        else:
            choices, page = read_campaigns(app_store(self), self.totals, self._version(),
                                           first_page=self.view is None)
        self._opened(choices, page)

    def _opened(self, choices: CampaignsLoaded, page: PageLoaded | None) -> None:
        self.post_message(choices)
        if page is not None:
            self.post_message(page)

    @work(thread=True, exclusive=True, group="page")
    def load_page(self, view: View, fetch: dict[str, Any], cursor: int | None = 0) -> None:
        self.post_message(read_page(app_store(self), view, fetch, cursor, self.totals, self._version()))

    @work(thread=True, exclusive=True, group="count")
    def count_page(self, view: View, fetch: dict[str, Any], rows: list[ApplicationRow], total: int | None,
                   offset: int | None) -> None:
        """The total and position a page was painted without; stopped when other rows are asked for."""
        store = app_store(self)
        db, now = store.reader(), store.clock.now()
        try:
            with self._long_read.running(db):
                if total is None:
                    total = self.totals.count(db, view, now, self._version())
                if offset is None:
                    offset = offset_of(db, view, now, fetch, rows, total)
        except Superseded:
            return
        self.post_message(PageCounted(view, fetch, total, offset))

    def _version(self) -> int:
        return self._watcher.current() if self._watcher is not None else -1

    @work(thread=True, exclusive=True, group="profile")
    def load_profile(self, application_id: int) -> None:
        store = app_store(self)
        db = store.reader()
        data = pipeline_view.profile(db, application_id)
        timezone = campaigns.get_by_id(db, data.campaign_id).timezone
        from mailer.actions import pipeline  # each action module loads with its first use, not at start-up

        deadline = pipeline.deadline_text(data.stage, data.agreement_deadline, timezone, store.clock.now())
        self.post_message(ProfileLoaded(data, deadline))

    def apply_decision(self, campaign: str, handles: list[str], decision: str) -> None:
        from mailer.actions import pipeline

        self._step_past(set(handles))
        run_action(self, "decide", pipeline.decide, campaign, handles, decision, offer_undo=True)

    def _step_past(self, decided: set[str]) -> None:
        """Put the cursor on the first row below it that is not being decided (at the end it stays):
        refreshes keep it on that row by id, though the decided ones move (sorted by update, an
        accepted row goes to the top)."""
        table = self.query_one(DataTable)
        row = table.cursor_row
        while row < len(self.rows) - 1 and self.rows[row].handle in decided:
            row += 1
        if row != table.cursor_row and self.rows[row].handle not in decided:
            table.move_cursor(row=row)

    def undo_decisions(self, campaign: str, handles: list[str]) -> None:
        from mailer.actions import pipeline

        run_action(self, "undo", pipeline.undo_many, campaign, handles)

    def change_state(self, campaign: str, pause: bool) -> None:
        from mailer.actions import campaigns as campaign_actions

        action = campaign_actions.pause if pause else campaign_actions.resume
        run_action(self, "pause" if pause else "resume", action, campaign)

    @work(thread=True, exclusive=True, group="watch")
    def watch_database(self) -> None:
        if self.undo_until is not None:
            self.show_page_info()  # the undo window counts down
        # A hidden mode waits: the change is still pending when it comes back into view.
        if self.is_current and self._watcher is not None and self._watcher.changed():
            self.post_message(DatabaseChanged())

    # Message handlers: plain data in, widgets updated.

    def on_campaigns_loaded(self, message: CampaignsLoaded) -> None:
        self.campaign_names = {campaign_id: name for name, campaign_id in message.choices}
        options = [(plain(name), campaign_id) for name, campaign_id in message.choices]
        toolbar = self.query_one(PipelineToolbar)
        if self.view is not None and self.view.campaign_id in self.campaign_names:
            toolbar.show_campaigns(options, self.view.campaign_id)  # a reload keeps the campaign, its page
        elif message.choices:
            first = message.choices[0][1]
            # The rows load now (or are on their way), not after the picker's Changed message.
            self._choose_campaign(first, load=not message.page_follows)
            toolbar.show_campaigns(options, first)
        else:
            toolbar.show_campaigns(options, None)
            self._show_no_campaign()

    def _show_no_campaign(self) -> None:
        """The blank choice, or no campaign at all: an empty table and a hint."""
        self.view, self.campaign_name, self.rows, self.total = None, "", [], 0
        self.tagged.clear()
        self.last_batch = None
        self._fill_table(self.query_one(DataTable), 0)
        self.query_one(CountersBar).show(None)
        self.query_one(Sparkline).data = [0]  # not the last campaign's applications under no campaign
        hint = ("Choose a campaign with c." if self.campaign_names
                else "No campaigns yet: `callsheet campaign create NAME` makes one.")
        self.query_one("#page-info", Static).update(hint)
        self.query_one(ModeBar).show("no campaign chosen" if self.campaign_names else "no campaign yet")

    def _show_loading(self) -> None:
        """Until the chosen campaign's first page arrives, a cue, not the rows of the one before under
        its name."""
        self.rows, self.total, self.page_offset, self.counted = [], 0, 0, False
        self._fill_table(self.query_one(DataTable), 0)
        self.query_one(CountersBar).show_loading()
        self.query_one(ModeBar).cue(self.campaign_name)
        self.query_one("#page-info", Static).update(plain(f"loading {self.campaign_name} …"))

    def _show_where(self) -> None:
        """The bar: the campaign, then what filters it (the stage filter always: it hides stages)."""
        if self.view is None:
            return
        stage = STAGE_LABELS.get(self._stage_filter(), "")
        source = f"{self.view.source} only" if self.view.source else ""
        search = f"search: {self.view.search}" if self.view.search else ""
        self.query_one(ModeBar).show(where_line(self.campaign_name, stage, source, search))

    def _stage_filter(self) -> str:
        """The stage filter's choice for the view shown (its picker may not be made yet)."""
        assert self.view is not None
        if self.view.stages == pipeline_view.SHOWN_BY_DEFAULT:
            return "active"
        if set(self.view.stages) == set(stages.STAGES):
            return "all"
        return self.view.stages[0]

    def on_page_loaded(self, message: PageLoaded) -> None:
        if message.view != self.view:
            return  # the operator moved on while this page loaded
        table = self.query_one(DataTable)
        # A refresh (cursor None) keeps the cursor where it is now, not where it was when it was asked for.
        cursor = self._kept_cursor(message.rows) if message.cursor is None else message.cursor
        shown_before = len(self.rows)
        self.rows, self.fetch = message.rows, message.fetch
        self._fill_table(table, cursor)
        if self._focus_on_load:
            self._focus_on_load = False
            table.focus()
        self.counted = message.total is not None
        if message.total is not None:
            self.total = message.total
        if message.offset is not None:
            self.page_offset = message.offset
        elif message.cursor is None:
            pass  # a refresh of the page shown: it stays where it was until counted
        elif "after" in message.fetch:  # until PageCounted says: the page after the one shown
            self.page_offset += shown_before
        elif "before" in message.fetch:
            self.page_offset = max(0, self.page_offset - len(message.rows))
        self.query_one(CountersBar).show(message.counters)
        self.campaign_state = message.counters.get("state", "open")
        sparkline = self.query_one(Sparkline)
        if list(sparkline.data or []) != message.per_day:
            sparkline.data = message.per_day
        self.show_page_info()
        self._show_where()
        if message.total is None or message.offset is None:  # counted once the rows are on screen
            self.call_after_refresh(self.count_page, message.view, message.fetch, message.rows, message.total,
                                    message.offset)

    def _kept_cursor(self, rows: list[ApplicationRow]) -> int:
        """Where the cursor goes in a refreshed page: on its row (by id) if the row is still there,
        else on the same line, never on another person because the rows were sorted anew."""
        table = self.query_one(DataTable)
        current = self._cursor_row()
        if current is not None:
            for index, row in enumerate(rows):
                if row.application_id == current.application_id:
                    return index
        return table.cursor_row

    def on_page_counted(self, message: PageCounted) -> None:
        if message.view != self.view or message.fetch != self.fetch:
            return
        self.total, self.page_offset, self.counted = message.total, message.offset, True
        self.show_page_info()

    def show_page_info(self) -> None:
        """Which rows are shown, how many are tagged, and the order."""
        if self.view is None:
            return
        first = self.page_offset + 1 if self.rows else 0
        of = f"{self.total:,}" if self.counted else "…"
        shown = f"rows {first}–{self.page_offset + len(self.rows)} of {of}"
        tags = f" · {len(self.tagged)} tagged" if self.tagged else ""
        order = f" · sorted by {self.view.sort.replace('_', ' ')} {'↓' if self.view.descending else '↑'}"
        # The countdown first: a notification (bottom right) covers the end of the line, never it.
        undo = self._undo_left()
        # One line always (.summary): no layout pass for a new text.
        self.query_one("#page-info", Static).update((f"{undo} · " if undo else "") + shown + tags + order,
                                                    layout=False)

    def _undo_left(self) -> str:
        """`u undoes the accept of 3: 24 s left` while the last decision's emails are held."""
        if self.undo_until is None:
            return ""
        ends, what = self.undo_until
        left = int((ends - app_store(self).clock.now()).total_seconds())
        if left <= 0:
            self.undo_until = None
            return ""
        return f"u undoes the {what}: {left} s left"

    def on_database_changed(self, _message: DatabaseChanged) -> None:
        self.refresh_page()

    def on_profile_loaded(self, message: ProfileLoaded) -> None:
        self.query_one(ProfilePanel).show(message.data, message.deadline)

    def on_action_finished(self, message: ActionFinished) -> None:
        """A decision, an undo, a pause or a resume is done (or refused): say so, show the page."""
        if message.outcome is None:
            self.notify(message.sentence, severity="error", timeout=message.timeout())
            return
        from mailer.actions import campaigns as campaign_actions
        from mailer.actions import pipeline

        done = message.outcome
        self.notify(done.notice if isinstance(done, pipeline.Decided) else done.sentence,
                    severity="warning" if done.warning else "information", timeout=6)
        if isinstance(done, pipeline.Decided):
            self.last_batch = (done.decision, done.moved)
            self.tagged.clear()
            self.undo_until = None
            if done.grace and done.queued:
                ends = app_store(self).clock.now() + timedelta(seconds=done.grace)
                self.undo_until = (ends, f"{done.decision} of {len(done.moves):,}")
        elif isinstance(done, pipeline.UndoneMany):
            self.undo_until = None
        if isinstance(done, campaign_actions.CampaignEdited):
            self.campaign_name = done.campaign.name  # a rename shows in the picker too
            self.load_campaigns()
        self.refresh_page()

    @on(Select.Changed, "#campaign")
    def campaign_chosen(self, event: Select.Changed) -> None:
        if event.value != event.select.value:
            return  # stale: set_options blanks the picker before a reload puts the campaign back
        if not isinstance(event.value, int):
            self._show_no_campaign()
            return
        self._choose_campaign(event.value)

    def _choose_campaign(self, campaign_id: int, load: bool = True) -> None:
        if self.view is not None and self.view.campaign_id == campaign_id:
            return
        self.campaign_name = self.campaign_names.get(campaign_id, "")
        self.tagged.clear()
        self.last_batch = None
        if load:
            self._show_loading()
            self._show(View(campaign_id), {})
        else:
            self.view = View(campaign_id)

    @on(Select.Changed, "#stage-filter")
    def stage_filter_chosen(self, event: Select.Changed) -> None:
        if self.view is None:
            return
        chosen = {"active": pipeline_view.SHOWN_BY_DEFAULT, "all": stages.STAGES}.get(
            str(event.value), (str(event.value),))
        if tuple(chosen) != self.view.stages:  # not the picker, made after the first frame, saying so
            self._show(replace(self.view, stages=tuple(chosen)), {})

    @on(Select.Changed, "#source-filter")
    def source_filter_chosen(self, event: Select.Changed) -> None:
        source = None if event.value == "any" else str(event.value)
        if self.view is not None and source != self.view.source:
            self._show(replace(self.view, source=source), {})

    @on(Input.Submitted, "#search")
    def search_submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        try:
            parse_query(text)  # pure parsing: a bad query is told at once, the view stays as it was
        except UserError as error:
            self.notify(error.sentence, severity="error", timeout=8)
            return
        if self.view is None or text == self.view.search:
            self.query_one(DataTable).focus()
            return
        # The table takes the focus when the rows arrive: one frame then, not a repaint of the old rows.
        self._focus_on_load = True
        self._show(replace(self.view, search=text), {})

    @on(DataTable.HeaderSelected)
    def header_selected(self, event: DataTable.HeaderSelected) -> None:
        column = str(event.column_key.value)
        if self.view is not None and column in pipeline_view.SORTS:
            self._show(self.view.sorted_by(column), {})

    @on(DataTable.RowSelected)
    def row_selected(self, _event: DataTable.RowSelected) -> None:
        self.action_profile()

    @on(DataTable.RowHighlighted)
    def row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self.query_one(ProfilePanel).display and event.row_key.value:
            self.load_profile(int(event.row_key.value))

    def _show(self, view: View, fetch: dict[str, Any], cursor: int = 0) -> None:
        if self.view is None or view.filters() != self.view.filters():
            self._long_read.supersede()  # a count of rows no longer wanted would only slow these down
        self.view = view
        self.load_page(view, fetch, cursor)

    def refresh_page(self) -> None:
        """Reload the same page (counters too), keeping the cursor where it was."""
        if self.view is not None:
            self.load_page(self.view, self.fetch, cursor=None)

    # Actions (keys).

    def _cursor_row(self) -> ApplicationRow | None:
        table = self.query_one(DataTable)
        if not self.rows or table.cursor_row < 0 or table.cursor_row >= len(self.rows):
            return None
        return self.rows[table.cursor_row]

    async def action_focus(self, selector: str) -> None:
        """`c` and `f` as the app opens wait the moment the pickers take to replace their stand-ins."""
        await self.query_one(PipelineToolbar).ready.wait()
        self.query_one(selector).focus()

    def action_move(self, step: int) -> None:
        table = self.query_one(DataTable)
        if step > 0 and table.cursor_row >= len(self.rows) - 1:
            self.action_next_page()
        elif step < 0 and table.cursor_row <= 0:
            self.action_previous_page(cursor=PAGE_SIZE - 1)
        else:
            table.move_cursor(row=table.cursor_row + step)

    def action_first_page(self) -> None:
        if self.view is not None:
            self._show(self.view, {})

    def action_last_page(self) -> None:
        if self.view is not None:
            self._show(self.view, {"last": True}, cursor=PAGE_SIZE - 1)

    def action_next_page(self) -> None:
        if self.view is not None and self.rows and len(self.rows) == PAGE_SIZE:
            self._show(self.view, {"after": pipeline_view.bound_of(self.rows[-1])})

    def action_previous_page(self, cursor: int = 0) -> None:
        if self.view is not None and self.rows and self.fetch:
            self._show(self.view, {"before": pipeline_view.bound_of(self.rows[0])}, cursor=cursor)

    def action_tag(self) -> None:
        row = self._cursor_row()
        if row is None:
            return
        key = row.application_id
        if self.tagged.pop(key, None) is None:
            self.tagged[key] = row.handle
        table = self.query_one(DataTable)
        table.update_cell(str(key), "name", table_row(row, key in self.tagged, self._widths)[0])
        self.show_page_info()
        self.action_move(1)

    def _targets(self) -> list[str]:
        if self.tagged:
            return list(self.tagged.values())
        row = self._cursor_row()
        return [row.handle] if row else []

    def action_decide(self, decision: str) -> None:
        handles = self._targets()
        if not handles or not self.campaign_name:
            self.notify("Nothing selected: move to a row or tag some with space.", severity="warning")
            return
        if decision not in questions.CHECKED:
            self.apply_decision(self.campaign_name, handles, decision)
            return
        self.check_decision(self.campaign_name, handles, decision)

    @work(thread=True, group="write")
    def check_decision(self, campaign: str, handles: list[str], decision: str) -> None:
        from mailer.actions import pipeline

        check = pipeline.check_decision(app_store(self), campaign, handles, decision)
        self.post_message(DecisionChecked(campaign, decision, check))

    def on_decision_checked(self, message: DecisionChecked) -> None:
        """Ask only about what the rules allow: refuse outright when nothing is, list the others."""
        check, decision, campaign = message.check, message.decision, message.campaign
        if not check.ready:
            self.notify(questions.refusal(campaign, check), severity="error", timeout=10)
            return

        def answered(confirmed: bool | None) -> None:
            if confirmed:
                self.apply_decision(campaign, check.ready, decision)

        question = questions.confirmation(campaign, decision, check)
        self._confirm(question, questions.button(decision, check), answered)

    def action_collaborate(self) -> None:
        if self.campaign_name:
            self.preview_collaboration(self.campaign_name)

    @work(thread=True, group="write")
    def preview_collaboration(self, campaign: str) -> None:
        from mailer.actions import pipeline

        preview = pipeline.preview_collaboration(app_store(self), campaign)
        self.post_message(CollaborationPreviewed(preview))

    def on_collaboration_previewed(self, message: CollaborationPreviewed) -> None:
        """Both counts in one question; the start itself runs as an action."""
        from mailer.actions import pipeline

        name = message.preview.campaign

        def answered(confirmed: bool | None) -> None:
            if confirmed:
                run_action(self, "collaborate", pipeline.collaborate, name)

        question = questions.collaboration_question(message.preview)
        self._confirm(question, "Start collaboration", answered)

    def action_pause_resume(self) -> None:
        if not self.campaign_name:
            return
        name = self.campaign_name
        if self.campaign_state.startswith("paused"):
            self.change_state(name, pause=False)
            return
        question = f"Pause {name!r}?\n\nNothing is planned or sent for it until it is resumed (P again)."
        self._confirm(question, "Pause",
                      lambda confirmed: self.change_state(name, pause=True) if confirmed else None)

    def _confirm(self, question: str, button: str, answered: Callable[[bool | None], None]) -> None:
        from tui.widgets.confirm import ConfirmScreen  # with the first question, not at start-up

        self.app.push_screen(ConfirmScreen(question, button), answered)

    def action_invite(self) -> None:
        """Invite many to the campaign on screen: the modal counts, `invite_many` writes."""
        if not self.campaign_name:
            return
        name = self.campaign_name
        # The modals load when first opened: they are not on the way to the first rows.
        from mailer.actions.invitations import InviteSource, invite_many
        from tui.screens.invite_modal import InviteModal

        def chosen(source: InviteSource | None) -> None:
            if source is not None:
                run_action(self, "invite", invite_many, name, source)

        self.app.push_screen(InviteModal(name), chosen)

    def action_campaign_settings(self) -> None:
        if self.view is not None:
            self.load_settings(self.view.campaign_id)

    @work(thread=True, exclusive=True, group="settings")
    def load_settings(self, campaign_id: int) -> None:
        store = app_store(self)
        from mailer.actions import campaigns as campaign_actions

        campaign = campaigns.get_by_id(store.reader(), campaign_id)
        self.post_message(SettingsLoaded(campaign, campaign_actions.settings_refusal(store)))

    def on_settings_loaded(self, message: SettingsLoaded) -> None:
        """The settings screen; what it returns runs as one campaign action."""

        from mailer.actions import campaigns as campaign_actions
        from tui.screens.campaign_settings import CampaignSettings, SettingsRequest

        name = message.campaign.name
        # What the settings screen may ask for, by its request's verb.
        settings_actions: dict[str, Callable[..., Outcome]] = {
            "edit": campaign_actions.edit, "close": campaign_actions.close, "reopen": campaign_actions.reopen,
            "pause": campaign_actions.pause, "resume": campaign_actions.resume}

        def chosen(request: SettingsRequest | None) -> None:
            if request is not None:
                run_action(self, "settings", settings_actions[request.verb], name, *request.args)

        self.app.push_screen(CampaignSettings(message.campaign, message.refusal), chosen)

    def action_undo(self) -> None:
        if not self.campaign_name:
            return
        if self.last_batch and self.last_batch[1]:
            handles = self.last_batch[1]
            self.last_batch = None
        else:
            handles = self._targets()[:1]
        if handles:
            self.undo_decisions(self.campaign_name, handles)

    def action_profile(self) -> None:
        panel = self.query_one(ProfilePanel)
        panel.display = not panel.display
        self.lay_out_columns(self.size.width)
        row = self._cursor_row()
        if panel.display and row:
            self.load_profile(row.application_id)

    def action_search(self) -> None:
        search = self.query_one("#search", Input)
        search.display = True
        search.focus()

    # esc (tui/escape.py): the search bar is the input, the profile the panel, the search the filter.

    def esc_state(self) -> EscState:
        search = self.query_one("#search", Input)
        return EscState(in_input=search.has_focus, typed=bool(search.value.strip()),
                        on_list=self.query_one(DataTable).has_focus,
                        panel_open=self.query_one(ProfilePanel).display,
                        in_force=bool(self.view is not None and self.view.search))

    def esc_leave_input(self) -> None:
        search = self.query_one("#search", Input)
        in_force = self.view.search if self.view is not None else ""
        search.value = in_force  # typed but not applied is dropped: the bar shows what is in force
        search.display = bool(in_force)

    def esc_clear(self) -> None:
        self._clear_search()

    def esc_close_panel(self) -> None:
        self.action_profile()

    def esc_focus_list(self) -> None:
        self.query_one(DataTable).focus()

    def _clear_search(self) -> None:
        search = self.query_one("#search", Input)
        search.value, search.display = "", False
        if self.view is not None and self.view.search:
            self._show(replace(self.view, search=""), {})

    def action_cycle_sort(self) -> None:
        if self.view is None:
            return
        following = SORT_CYCLE[(SORT_CYCLE.index(self.view.sort) + 1) % len(SORT_CYCLE)] \
            if self.view.sort in SORT_CYCLE else SORT_CYCLE[0]
        self._show(self.view.sorted_by(following), {})

    def action_reverse_sort(self) -> None:
        if self.view is not None:
            self._show(self.view.sorted_by(self.view.sort), {})  # the same column again flips the order

    def action_reload(self) -> None:
        self.load_campaigns()
        self.refresh_page()
