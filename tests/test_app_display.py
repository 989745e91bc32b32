"""What the app shows of stored text: never read as markup, never a raw control (issues 11 and 18)."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import DataTable
from textual.widgets._toast import Toast

from tests.display_helpers import Texts, screen_segments, screen_text, seeded_store
from tests.pilot_helpers import until
from tui.app import CallsheetApp, make_app
from tui.visible import is_visible
from tui.widgets.contact_panel import ContactPanel
from tui.widgets.invitation_list import InvitationList
from tui.widgets.pipeline_bits import ProfilePanel
from tui.widgets.timeline_view import TimelineView

SIZE = (140, 40)
MODES = ("pipeline", "inbox", "moderation", "outbox")
MODE_KEYS = {"pipeline": "1", "inbox": "2", "moderation": "3", "outbox": "4"}
MARKUP = Texts(name="[b]x[/b]", handle="[link=https://evil.example]ana[/link]", note="[red]urgent[/red]",
               subject="[i]Re: hi[/i]", body="see [bold]this[/bold]", campaign="[u]Glow[/u]")
ATTACK = "Thanks!\x1b]0;pwned\x07\x1b[2J\x9b31m\x9d8;;x\x9c\u202eevil\u2066"


def _loaded(app: CallsheetApp, mode: str) -> bool:
    """True when `mode`'s widgets hold their data (the table, the panels, the preview)."""
    screen = app.screen
    if mode == "pipeline":
        return bool(screen.rows) and bool(str(screen.query_one(ProfilePanel).render()).strip())
    if mode == "inbox":
        return bool(screen.query_one(ContactPanel).render().plain.strip()
                    and screen.query_one(TimelineView).plain_text)
    if mode == "moderation":
        preview = str(screen.query_one("#preview").render())
        return bool(screen.query_one(InvitationList).items and preview.strip())
    return screen.query_one(DataTable).row_count > 0


async def _open(app: CallsheetApp, pilot: Pilot, mode: str) -> str:
    """Switch to `mode`, wait until its data is on screen, check no raw text is; the screen's text."""
    await pilot.press(MODE_KEYS[mode])
    if mode == "pipeline" and not app.screen.query_one(ProfilePanel).display:
        await pilot.press("enter")
    await until(pilot, lambda: _loaded(app, mode))
    await pilot.pause()
    raw = [text for text in screen_segments(app) if not is_visible(text)]
    assert raw == [], f"raw control or bidi text reached the {mode} screen"
    return screen_text(app)


async def _walk(path: Path, texts: Texts) -> dict[str, str]:
    """Open each mode of a new app on a workspace holding `texts`; what reached the screen, per mode."""
    app = make_app(seeded_store(path, texts))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        return {mode: await _open(app, pilot, mode) for mode in MODES}


async def test_markup_in_names_notes_and_mail_shows_literally(tmp_path: Path) -> None:
    shown = await _walk(tmp_path / "w.db", MARKUP)
    for literal in ("[b]x[/b]", "[link=https://evil", "[u]Glow[/u]"):
        assert literal in shown["pipeline"], literal
    for literal in ("[b]x[/b]", "[link=https://evil", "[red]urgent[/red]", "[i]Re: hi[/i]",
                    "see [bold]this[/bold]", "[u]Glow[/u]"):
        assert literal in shown["inbox"], literal
    for literal in ("[u]Glow[/u]", "[i]Re: hi[/i]", "see [bold]this[/bold]", "@[link=https://evil"):
        assert literal in shown["moderation"], literal
    assert "554 [i]Re: hi[/i]" in shown["outbox"] and "[u]Glow[/u]" in shown["outbox"]


async def test_the_imap_hint_keeps_its_brackets(tmp_path: Path) -> None:
    app = make_app(seeded_store(tmp_path / "w.db", MARKUP))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await _open(app, pilot, "inbox")
        await pilot.press("s")
        await until(pilot, lambda: len(app.screen.query(Toast)) == 2)
        shown = [" ".join(str(toast.render()).split()) for toast in app.screen.query(Toast)]
        assert any("url in the [imap] section of" in text for text in shown), shown


async def test_a_strangers_escape_sequences_are_shown_not_obeyed(tmp_path: Path) -> None:
    texts = Texts(name="Ana\x1b[2J", handle="ana\u202e", note="call\x07 me", subject="Re\x9b2J",
                  body=ATTACK, campaign="Glow\x9d0;x\x07")
    shown = await _walk(tmp_path / "w.db", texts)
    assert "Thanks!\\x1b]0;pwned\\x07\\x1b[2J\\x9b31m" in shown["inbox"]
    assert "Glow\\x9d0;x\\x07" in shown["pipeline"]
    assert "call\\x07 me" in shown["inbox"]
