"""What the app says: each key once in help and the palette, tags as tags, `undoable` only while true."""

from __future__ import annotations

import json
from pathlib import Path

from mailer.actions import pipeline
from store import timeline
from store.db import Store
from tests.app_helpers import demo_app
from tests.pilot_helpers import until
from tests.pipeline_helpers import add_influencer, make_campaign
from tui.screens.help import HelpScreen
from tui.widgets.pipeline_bits import ProfilePanel
from tui.widgets.timeline_view import render_entries


async def test_help_and_palette_list_each_binding_once(tmp_path: Path) -> None:
    app = demo_app(tmp_path / "demo.db")
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: bool(app.screen.rows))
        titles = [command.title for command in app.get_system_commands(app.screen)]
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        rows = app.screen.rows
        assert [row for row in rows if row[1] == "Tag"] == [("space", "Tag", "Pipeline")]
        assert len(rows) == len(set(rows))
        assert titles.count("Tag") == 1
        assert len(titles) == len(set(titles))


async def test_the_profile_shows_tags_not_json(tmp_path: Path) -> None:
    app = demo_app(tmp_path / "demo.db")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        await until(pilot, lambda: bool(screen.rows))
        handle = screen.rows[0].handle
        [tags] = app.store.writer.execute("SELECT tags FROM influencers WHERE handle = ?",
                                          [handle]).fetchone()
        assert json.loads(tags), "the demo's first row has tags"
        await pilot.press("enter")
        panel = screen.query_one(ProfilePanel)
        await until(pilot, lambda: f"@{handle}" in str(panel.render()))
        shown = str(panel.render())
        assert "tags " + " ".join(f"#{tag}" for tag in json.loads(tags)) in shown
        assert '["' not in shown


def _accepted_mail_flags(store: Store) -> tuple[list[str], str]:
    entries = timeline.entries(store.reader(), store.writer.execute(
        "SELECT id FROM influencers WHERE handle = 'ana'").fetchone()[0])
    [mail] = [e for e in entries if e["entry"] == "message" and e["kind"] == "accepted"]
    return mail["flags"], str(render_entries([mail])[0])


def test_undoable_is_shown_only_while_the_held_email_is_queued(store: Store) -> None:
    make_campaign(store)
    add_influencer(store, "ana")
    pipeline.apply(store, "Spring", "ana")
    [move] = pipeline.decide(store, "Spring", ["ana"], "accept", grace_seconds=30).moves
    flags, shown = _accepted_mail_flags(store)
    assert flags == ["undoable"] and "[undoable]" in shown
    with store.write() as db:  # as a dispatcher records it once the server took it
        db.execute("UPDATE messages SET status = 'sent', sent_at = ? WHERE id = ?",
                   [store.now_iso(), move.message_row])
    flags, shown = _accepted_mail_flags(store)
    assert flags == [] and "undoable" not in shown
