"""The demo's header says it is a rehearsal and where its mail goes, from the first frame, in every mode,
as fully as 80×24 or 120×40 leaves room for; what does not fit is marked cut with `…`."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.app import App
from textual.widgets._header import HeaderTitle

from tests.app_helpers import demo_store
from tests.pilot_helpers import until
from tui.app import make_app
from tui.rehearsal import Rehearsal, fitted, short_folder

HOME = Path.home()
FOLDER = HOME / ".local/share/callsheet/demo-mail"
CATCHER = "127.0.0.1:43817"
MODES = (("1", "Pipeline"), ("2", "Inbox"), ("3", "Moderation"), ("4", "Outbox"))


def header_line(app: App) -> str:
    """The header's title as drawn on screen: what fits, and the `…` that marks a cut."""
    title = app.screen.query_one(HeaderTitle)
    return "".join(segment.text for segment in title.render_line(0)).strip()


@pytest.mark.parametrize(("size", "said"), [
    ((80, 24), "rehearsal: mail kept in ~/…/demo-mail"),  # the header has no clock: its room is the title's
    ((120, 40), f"rehearsal: mail caught at {CATCHER}, kept in ~/…/demo-mail"),
], ids=["80x24", "120x40"])
async def test_every_mode_says_it_is_a_rehearsal(tmp_path: Path, size: tuple[int, int], said: str) -> None:
    app = make_app(demo_store(tmp_path / "demo.db"), rehearsal=Rehearsal(CATCHER, FOLDER))
    async with app.run_test(size=size) as pilot:
        for key, mode in MODES:
            await pilot.press(key)
            await until(pilot, lambda mode=mode: header_line(app).startswith(f"callsheet · {mode} — "))
            await until(pilot, lambda: said in header_line(app))
            shown = header_line(app)
            assert shown.startswith(f"callsheet · {mode} — demo.db · {said} "), shown
            # The date after it is cut where the header ends, and the cut says so.
            assert shown.endswith("…") or shown.endswith("(pinned)"), shown


async def test_a_workspace_that_is_not_the_demo_says_nothing_of_rehearsals(tmp_path: Path) -> None:
    app = make_app(demo_store(tmp_path / "demo.db"))
    async with app.run_test(size=(120, 40)) as pilot:
        shown = "callsheet · Pipeline — demo.db · 2026-11-23 10:00 UTC"
        await until(pilot, lambda: header_line(app).startswith(shown))
        assert "rehearsal" not in header_line(app)


async def test_the_header_says_more_when_the_terminal_grows(tmp_path: Path) -> None:
    app = make_app(demo_store(tmp_path / "demo.db"), rehearsal=Rehearsal(CATCHER, FOLDER))
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: "rehearsal: mail kept in ~/…/demo-mail" in header_line(app))
        await pilot.resize_terminal(120, 40)
        await until(pilot, lambda: CATCHER in header_line(app))


def test_the_fullest_phrase_that_fits_comes_before_what_the_header_cuts() -> None:
    phrases = ("rehearsal: mail kept in ~/…/demo-mail", "rehearsal: mail is caught", "rehearsal")
    assert fitted("demo.db", phrases, "Mon 23 Nov", 100) == \
        "demo.db · rehearsal: mail kept in ~/…/demo-mail · Mon 23 Nov"
    # Room for the phrase and the ` …` that marks the rest cut, not for the phrase alone.
    assert fitted("demo.db", phrases, "Mon 23 Nov", 37) == "demo.db · rehearsal: mail is caught · Mon 23 Nov"
    assert fitted("demo.db", phrases, "Mon 23 Nov", 36) == "demo.db · rehearsal · Mon 23 Nov"
    assert fitted("demo.db", phrases, "", 35) == "demo.db · rehearsal: mail is caught"
    assert fitted("demo.db", phrases, "", 3) == "demo.db · rehearsal"  # the word that must stay
    assert fitted("demo.db", phrases, "", None) == "demo.db · rehearsal: mail kept in ~/…/demo-mail"


def test_a_folder_is_named_short_and_marked_shortened() -> None:
    home = Path("/home/ana")
    assert short_folder(home / ".local/share/callsheet/demo-mail", home) == "~/…/demo-mail"
    assert short_folder(home / "demo-mail", home) == "~/demo-mail"
    assert short_folder(Path("/srv/demo-mail"), home) == "/srv/demo-mail"
    assert short_folder(Path("/tmp/pytest/run/demo-mail"), home) == "/…/demo-mail"
    assert short_folder(Path("/tmp/pytest/run/demo-mail"), None) == "/…/demo-mail"  # no home known


def test_a_hostile_folder_name_never_reaches_the_terminal_raw() -> None:
    said = Rehearsal(CATCHER, Path("/tmp/\x1b]0;owned\x07")).sub_title("demo.db", 200, Path("/home/ana"))
    assert "\x1b" not in said and "\x07" not in said and "\\x1b" in said
