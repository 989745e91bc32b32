"""What the app shows of stored text: never read as markup, never a raw control (issues 11 and 18)."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from textual.pilot import Pilot
from textual.widgets import DataTable
from textual.widgets._toast import Toast

from tests.display_helpers import Texts, screen_segments, screen_text, seeded_store, store_texts
from tests.pilot_helpers import until
from tui.app import CallsheetApp, make_app
from tui.visible import is_visible, visible
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
# C0, DEL, C1 and the bidi overrides and isolates, with the sequences seen in attacks.
DANGEROUS = [*map(chr, range(0x20)), "\x7f", *map(chr, range(0x80, 0xA0)), *map(chr, range(0x202A, 0x202F)),
             *map(chr, range(0x2066, 0x206A)), "\u2028", "\u2029", "\x1b]0;pwned\x07", "\x1b[2J",
             "\x1b]52;c;cHduZWQ=\x07"]


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


async def _open(app: CallsheetApp, pilot: Pilot, mode: str, shows: tuple[str, ...] = ()) -> str:
    """Switch to `mode`, wait until its data (and each of `shows`) is on screen; the screen's text."""
    if app.current_mode != mode:
        await pilot.press(MODE_KEYS[mode])
    if mode == "pipeline" and not app.screen.query_one(ProfilePanel).display:
        await pilot.press("enter")
    await until(pilot, lambda: _loaded(app, mode) and all(text in screen_text(app) for text in shows))
    if not shows:
        await pilot.pause()  # with `shows`, the text on screen already proves the new data is drawn
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


class Walker:
    """One app kept open across examples: each example rewrites the stored text and reloads every mode.

    The app lives in one task of its own loop (Textual's context must be entered and left in the
    same task); each example is handed to it and waited for.
    """

    def __init__(self, path: Path) -> None:
        self.store = seeded_store(path, MARKUP)
        self.loop = asyncio.new_event_loop()
        self.requests: asyncio.Queue[tuple[Texts, asyncio.Future[None]] | None] = asyncio.Queue()
        self.session = self.loop.create_task(self._session(make_app(self.store)))

    def check(self, texts: Texts) -> None:
        store_texts(self.store, texts)
        done: asyncio.Future[None] = self.loop.create_future()
        self.requests.put_nowait((texts, done))
        self.loop.run_until_complete(done)

    async def _session(self, app: CallsheetApp) -> None:
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            while (request := await self.requests.get()) is not None:
                texts, done = request
                try:
                    await self._every_mode(app, pilot, texts)
                except Exception as error:  # handed to the example that asked, which fails with it
                    done.set_exception(error)
                else:
                    done.set_result(None)

    async def _every_mode(self, app: CallsheetApp, pilot: Pilot, texts: Texts) -> None:
        # The start of each field, neutralised, must be on screen: the new data is what is checked.
        start = {field: visible(getattr(texts, field))[:4]
                 for field in ("name", "handle", "subject", "campaign")}
        shows = {"pipeline": (start["name"], start["campaign"]), "inbox": (start["handle"], start["subject"]),
                 "moderation": (start["campaign"], start["subject"]), "outbox": (start["subject"],)}
        for mode in MODES:
            await app.switch_mode(mode)
            app.screen.action_reload()  # the key (r, ctrl+r) is pressed in the tests above
            await _open(app, pilot, mode, shows[mode])

    def close(self) -> None:
        self.requests.put_nowait(None)
        self.loop.run_until_complete(self.session)
        self.loop.close()
        self.store.close()


@pytest.fixture(scope="module")
def walker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Walker]:
    opened = Walker(tmp_path_factory.mktemp("display") / "w.db")
    yield opened
    opened.close()


def _hostile(marker: str) -> st.SearchStrategy[str]:
    """Arbitrary text holding at least one control or bidi character, after a marker it is found by."""
    number = itertools.count()
    return st.tuples(st.text(max_size=4), st.lists(st.sampled_from(DANGEROUS), min_size=1, max_size=3),
                     st.text(max_size=6)).map(
        lambda parts: f"{marker}{next(number):03d}{parts[0]}{''.join(parts[1])}{parts[2]}")


TEXTS = st.builds(Texts, name=_hostile("N"), handle=_hostile("H"), note=_hostile("T"),
                  subject=_hostile("S"), body=_hostile("B"), campaign=_hostile("C"))


@settings(max_examples=15, deadline=None)
@given(texts=TEXTS)
def test_no_stored_text_reaches_the_terminal_raw(walker: Walker, texts: Texts) -> None:
    walker.check(texts)
