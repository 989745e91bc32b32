"""The Moderation mode: the coming invitations by campaign and sender, reviewed one key at a time.

Workers read the queue and post past-tense messages that the screen turns into widget
state; each decision is an action of `mailer.actions.outreach`, run by `run_action`.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from mailer.actions import outreach
from mailer.actions.outcome import Outcome
from mailer.outreach import moderation
from mailer.outreach.invitation_edit import EditSession, open_edit
from mailer.templating.drafting import Renderer
from store import moderation as queue
from store.db import Store
from store.errors import UserError
from store.watch import DataVersion
from tui.action_worker import ActionFinished, app_store, run_action
from tui.display import plain, visible_data
from tui.escape import EscapeSteps, EscState
from tui.screens.invitation_editor import InvitationEditor
from tui.screens.mode_where import MODERATION_WHERE
from tui.screens.moderation_messages import PreviewLoaded, QueueLoaded, send_time, to_item
from tui.times import operator_zone
from tui.widgets.confirm import ConfirmScreen
from tui.widgets.footer import KeyFooter
from tui.widgets.invitation_list import InvitationList, QueueItem, describe
from tui.widgets.mode_bar import ModeBar
from tui.widgets.mode_header import ModeHeader


class ModerationScreen(EscapeSteps, Screen[None]):
    """Keys: j/k move, s skip/unskip and next, L language, e edit, a approve and next, A approve all,
    t tag, ; tagged, esc leaves the `;` prompt (again: clears the tags)."""

    MODE = "moderation"  # the mode its header names

    BINDINGS = [
        Binding("j", "move(1)", "Down", key_display="j"),
        Binding("k", "move(-1)", "Up", key_display="k"),
        Binding("s", "skip", "Skip/unskip"),
        Binding("L", "language", "Language", key_display="L"),
        Binding("e", "edit", "Edit"),
        Binding("E", "external_edit", "Edit in $EDITOR", show=False, key_display="E"),
        Binding("a", "approve", "Approve"),
        Binding("A", "approve_all", "Approve all", key_display="A"),
        Binding("t", "tag", "Tag"),
        Binding("semicolon", "tagged", "Apply to tagged", key_display=";"),
        Binding("escape", "escape_step", "Back (again: clear the tags)", show=False),
        Binding("r", "reload", "Reload"),
    ]
    CSS_PATH = "moderation.tcss"

    def __init__(self) -> None:
        super().__init__()
        self.counters = queue.Counters()
        self.notes: tuple[str, ...] = ()
        self.to_tagged = False
        self._renderer: Renderer | None = None
        self._watcher: DataVersion | None = None

    def compose(self) -> ComposeResult:
        yield ModeHeader()
        yield ModeBar(MODERATION_WHERE)
        yield Static("Loading…", id="counters")
        yield InvitationList(id="queue")
        yield Static("", id="preview")
        yield KeyFooter()

    @property
    def store(self) -> Store:
        return app_store(self)

    @property
    def invitations(self) -> InvitationList:
        return self.query_one(InvitationList)

    def on_mount(self) -> None:
        self.invitations.focus()
        self.action_reload()
        # The daemon, the planner or another moderator may change the queue: follow them.
        self._watcher = DataVersion(self.store.path)
        self.set_interval(1.0, self._follow_database)

    def on_unmount(self) -> None:
        if self._watcher is not None:
            self._watcher.close()

    @work(thread=True, exclusive=True, group="watch")
    def _follow_database(self) -> None:
        # A hidden mode waits: the change is still pending when it comes back into view.
        if not self.is_current or self.to_tagged or self._watcher is None:
            return
        if self._watcher.changed():
            self.app.call_from_thread(self.action_reload)

    # -- loading -----------------------------------------------------------------------

    def action_reload(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="load")
    def load(self) -> None:
        reader = self.store.reader()
        rows = queue.queue(reader, self.store.now_iso())
        operator = operator_zone(self.app)
        self.post_message(QueueLoaded([to_item(row, operator) for row in rows], queue.counters(rows),
                                      tuple(queue.unplanned(reader))))

    def on_queue_loaded(self, message: QueueLoaded) -> None:
        self.counters, self.notes = message.counters, message.notes
        # The cursor stays on the invitation it is on now (by id), not on the one it was on when asked.
        self.invitations.show(message.items)
        self._show_counters()
        if not message.items:
            self.query_one("#preview", Static).update(
                "No invitations waiting: `callsheet plan` fills the queue.")

    def _show_counters(self) -> None:
        label = self.query_one("#counters", Static)
        tagged = len(self.invitations.tagged)
        if self.to_tagged:
            label.update(f"; on {tagged} tagged: s skip/unskip · a approve · L language · esc cancel")
        else:
            label.update(plain(f"{self.counters.total} invitations · {self.counters.describe()}"
                               + (f" · {tagged} tagged" if tagged else "")
                               + "".join(f"\n{note}." for note in self.notes), lines=True))
        label.set_class(self.to_tagged, "prompt")

    def on_invitation_list_highlighted(self, message: InvitationList.Highlighted) -> None:
        if message.item is not None:
            self.preview(message.item.id)

    @work(thread=True, exclusive=True, group="preview")
    def preview(self, message_id: int) -> None:
        try:
            row = queue.message(self.store.reader(), message_id)
        except UserError:
            row = None
        self.post_message(PreviewLoaded(row))

    def on_preview_loaded(self, message: PreviewLoaded) -> None:
        row, pane = message.row, self.query_one("#preview", Static)
        if row is None:
            pane.update("")
            return
        operator = operator_zone(self.app)
        _glyph, words = describe(to_item(row, operator))
        when = queue.untimed(row) or send_time(row, operator)  # its send time, with the zone named
        shown = visible_data({**asdict(row), "words": words, "body": (row.body or "").strip(),
                              "when": when}, lines=("body",))
        pane.update(Text.assemble(
            (f"To @{shown['handle']}", "bold"), f" ({shown['name']}) · {shown['language']} · "
            f"{shown['length']}/{shown['invite_limit']} · {shown['words']}"
            + (f" · {shown['when']}" if when else "") + "\n",
            (shown["subject"], "bold"), f"\n{shown['body']}"))

    # -- decisions ---------------------------------------------------------------------

    def _targets(self) -> list[QueueItem]:
        if self.to_tagged:
            chosen = [item for item in self.invitations.items if item.id in self.invitations.tagged]
            self.to_tagged = False
            self.invitations.tagged.clear()
            self._show_counters()
            return chosen
        return [self.invitations.current] if self.invitations.current else []

    def action_move(self, delta: int) -> None:
        self.invitations.move(delta)

    def action_tag(self) -> None:
        self.invitations.toggle_tag()
        self.invitations.move(1)
        self._show_counters()

    def action_tagged(self) -> None:
        if not self.invitations.tagged:
            self.notify("Tag invitations with t first.", severity="warning")
            return
        self.to_tagged = True
        self._show_counters()

    # esc (tui/escape.py): the `;` prompt is the input, the tags are the filter in force.

    def esc_state(self) -> EscState:
        tagged = bool(self.invitations.tagged)
        return EscState(in_input=self.to_tagged, typed=tagged, on_list=self.invitations.has_focus,
                        in_force=tagged)

    def esc_leave_input(self) -> None:
        self.to_tagged = False  # the tags stay: `;` offers them again
        self._show_counters()

    def esc_clear(self) -> None:
        self.to_tagged = False
        self.invitations.tagged.clear()
        self.invitations.refresh()
        self._show_counters()

    def esc_focus_list(self) -> None:
        self.invitations.focus()

    def action_skip(self) -> None:
        and_next = not self.to_tagged
        targets = self._targets()
        if all(item.status == "skipped" for item in targets):
            self.decide("unskip", [item.id for item in targets], and_next)
        else:
            self.decide("skip", [item.id for item in targets if item.status != "skipped"], and_next)

    def action_approve(self) -> None:
        and_next = not self.to_tagged
        self.decide("approve", [item.id for item in self._targets()], and_next)

    def action_approve_all(self) -> None:
        ready = [item.id for item in self.invitations.items
                 if item.status != "skipped" and not item.blocked and not item.approved_by]
        if not ready:
            self.decide("approve", ready)  # says there is nothing to do
            return

        def answered(confirmed: bool | None) -> None:
            if confirmed:
                self.decide("approve", ready)

        many = f"{len(ready):,} invitation{'s' if len(ready) != 1 else ''}"
        question = (f"Approve {many} waiting for review?\n\n"
                    "Skipped and flagged invitations stay as they are.")
        self.app.push_screen(ConfirmScreen(question, f"Approve {len(ready):,}"), answered)

    def action_language(self) -> None:
        changes = [(item.id, moderation.cycle_language(item.languages, item.language,
                                                       item.influencer_language))
                   for item in self._targets()]
        if changes:
            self.relanguage(changes)

    def decide(self, verb: str, ids: list[int], and_next: bool = False) -> None:
        """Run the decision; `and_next` (one invitation, as in mutt) moves the cursor to the next one
        at once, and the reload keeps it there by id, whatever the queue's new order."""
        if not ids:
            self.notify("Nothing to do here.", timeout=3)
            self.action_reload()
            return
        act = {"skip": outreach.skip, "unskip": outreach.unskip, "approve": outreach.approve}[verb]
        if and_next:
            self.invitations.move(1)  # at the last one it stays
        self._act(act, ids)

    def relanguage(self, changes: list[tuple[int, str]]) -> None:
        self._act(outreach.relanguage, changes, self.renderer)

    def _act(self, action: Callable[..., Outcome], *args: Any) -> None:
        # Not exclusive: `a a a` is three approvals, and a worker replaced before its thread ran is lost.
        run_action(self, "decide", action, *args)

    def on_action_finished(self, message: ActionFinished) -> None:
        outcome = message.outcome
        # The language and edit lines are shorter here than the CLI's, which name the invitation.
        sentence = outcome.short if isinstance(outcome, outreach.Relanguaged | outreach.Edited) else (
            message.sentence)
        self.notify(sentence, severity=message.severity, timeout=message.timeout(3))
        self.action_reload()

    # -- editing -----------------------------------------------------------------------

    @property
    def renderer(self) -> Renderer:
        if self._renderer is None:
            self._renderer = Renderer.default()
        return self._renderer

    def action_edit(self) -> None:
        item = self.invitations.current
        if item is not None:
            self.open_editor(item)

    @work(thread=True, exclusive=True, group="edit")
    def open_editor(self, item: QueueItem, external: list[str] | None = None) -> None:
        session = open_edit(self.store.reader(), item.id, self.renderer)
        if external:
            self.app.call_from_thread(self._edit_outside, session, external)
        else:
            self.app.call_from_thread(self._push_editor, session)

    def _push_editor(self, session: EditSession) -> None:
        row = session.row
        editor = InvitationEditor(f"#{row.id} to @{row.handle} ({row.language})", session.subject,
                                  session.body, row.invite_limit, session.measure)

        def saved(result: tuple[str, str] | None) -> None:
            if result:
                self.save_edit(row.id, *result)

        self.app.push_screen(editor, saved)

    def save_edit(self, message_id: int, subject: str, body: str) -> None:
        self._act(outreach.edit, message_id, subject, body, self.renderer)

    def action_external_edit(self) -> None:
        """Edit the invitation's template in $EDITOR (the app is suspended meanwhile)."""

        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
        item = self.invitations.current
        if not editor or item is None:
            self.notify("Set $EDITOR to edit in your own editor; e opens the built-in one.",
                        severity="warning")
            return
        self.open_editor(item, shlex.split(editor))

    def _edit_outside(self, session: EditSession, editor: list[str]) -> None:
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as handle:
            handle.write(session.body)
        path = Path(handle.name)
        try:
            try:
                with self.app.suspend():
                    subprocess.run([*editor, str(path)], check=False)
            except SuspendNotSupported:  # headless (tests, web): there is no terminal to hand over
                subprocess.run([*editor, str(path)], check=False, stdin=subprocess.DEVNULL,
                               capture_output=True)
            body = path.read_text(encoding="utf-8")
        finally:
            path.unlink(missing_ok=True)
        if body != session.body:
            self.save_edit(session.row.id, session.subject, body)
