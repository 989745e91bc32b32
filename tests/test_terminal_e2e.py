"""The installed `callsheet demo` in a real terminal (tmux) at 80×24 and 120×40, as a person uses it:
every mode named in the header and marked in the tab bar, a search, a tag, an accept and its undo, a
sent mail opened with its headers, and a quit that gives the shell its terminal back. On every screen
each @handle and address is whole or marked cut with `…`, the footer ends on a key's whole words, and
no control sequence shows as text.
"""

from __future__ import annotations

import re
import sqlite3
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from textual.binding import Binding

from tests.conftest import NOW
from tests.tmux_helpers import Terminal, find_tmux, lines_with

CALLSHEET = Path(sys.executable).parent / "callsheet"  # the console script of the venv running the tests
MODES = (("2", "Inbox"), ("3", "Moderation"), ("4", "Outbox"), ("1", "Pipeline"))
# An @handle standing alone (not an address's domain), or an address; either may end in the cut mark.
HANDLE = re.compile(r"(?<![\w.@])@([\w.]+?)\.?(…)?(?![\w.])")
ADDRESS = re.compile(r"([\w.+-]+@[\w-]+(?:\.[\w-]+)+)(…)?")
# The head line of an Inbox entry: tag and bookmark marks, then the handle (no @).
INBOX_HEAD = re.compile(r"^ [ +][ ★]([^\s→←…]+)(…)?", re.M)
ESCAPE = "\x1b"
RAW_SEQUENCE = re.compile(r"\^\[|\[\?\d+[hl]|\[\d+(;\d+)*[mHJK]")  # a control sequence printed as text
CONFIRM_KEYS = re.compile(r" n\b.* y\b")  # a confirm dialog's buttons on one line: "Cancel n  Accept 1 y"
PROMPT = "shell> "  # the shell's prompt once the demo is over
TOAST_EDGE = "▌"  # a notification's left edge: what it covers is hidden, not cut
PALETTE_EDGE = "▏"  # where the footer's own keys end and the command palette's begins
# The screens whose keys the footer shows, by where their class lives.
SCREENS = ("tui.app:CallsheetApp", "tui.screens.pipeline:PipelineScreen", "tui.screens.inbox:InboxScreen",
           "tui.screens.moderation:ModerationScreen", "tui.screens.outbox:OutboxScreen",
           "tui.screens.message_view:MessageScreen")


def key_words() -> frozenset[str]:
    """Every key's words (its description) on the screens the scenario shows, inherited ones too."""
    import importlib

    words = set()
    for target in SCREENS:
        module, name = target.split(":")
        for cls in getattr(importlib.import_module(module), name).__mro__:
            words.update(binding.description for binding in vars(cls).get("BINDINGS", ())
                         if isinstance(binding, Binding))
    return frozenset(words)


@dataclass(frozen=True)
class Demo:
    """What the demo's database says is true, to hold the screen to."""

    handles: frozenset[str]
    addresses: frozenset[str]
    campaigns: tuple[str, ...]
    db: Path
    key_words: frozenset[str] = frozenset()

    @classmethod
    def read(cls, db: Path) -> Demo:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            handles = {row[0] for row in conn.execute("SELECT handle FROM influencers")}
            addresses = {row[0] for row in conn.execute(
                "SELECT email FROM influencers UNION SELECT to_addr FROM messages "
                "UNION SELECT from_addr FROM messages UNION SELECT sender_email FROM campaigns") if row[0]}
            campaigns = tuple(row[0] for row in conn.execute("SELECT name FROM campaigns"))
        return cls(frozenset(handles), frozenset(addresses), campaigns, db, key_words())

    def to_review(self, campaign: str) -> tuple[str, str]:
        """(handle, name) of the campaign's candidate waiting for a verdict with the longest handle."""
        with sqlite3.connect(f"file:{self.db}?mode=ro", uri=True) as conn:
            row = conn.execute(
                "SELECT i.handle, i.name FROM applications a JOIN campaigns c ON c.id = a.campaign_id "
                "JOIN influencers i ON i.id = a.influencer_id WHERE c.name = ? AND a.stage = 'to review' "
                "ORDER BY length(i.handle) DESC, i.handle LIMIT 1", [campaign]).fetchone()
        assert row is not None, f"the demo has nobody to review in {campaign}"
        return row[0], row[1]

    def stage(self, handle: str) -> str:
        with sqlite3.connect(f"file:{self.db}?mode=ro", uri=True) as conn:
            return str(conn.execute(
                "SELECT a.stage FROM applications a JOIN influencers i ON i.id = a.influencer_id "
                "WHERE i.handle = ?", [handle]).fetchone()[0])


def cut_silently(screen: str, known: frozenset[str], pattern: re.Pattern[str]) -> list[str]:
    """Identifiers on `screen` that are neither whole (in `known`) nor marked cut: `@mia.rossi27` for
    `mia.rossi278` reads as another person. A marked cut must still start a real one."""
    wrong = []
    for match in pattern.finditer(screen):
        if screen[match.end():match.end() + 1] == TOAST_EDGE:
            continue
        shown, marked = match.group(1), match.group(2)
        honest = any(name.startswith(shown) for name in known) if marked else shown in known
        if not honest:
            wrong.append(match.group(0))
    return wrong


def inbox_list(screen: str) -> str:
    """The Inbox's conversation list (left of its divider): one handle at the head of every entry."""
    return "\n".join(line.split("│")[0] for line in screen.splitlines()[1:])


def assert_screen_honest(screen: str, demo: Demo, mode: str = "") -> None:
    """No identifier cut without `…`, and nothing on screen that is an escape sequence shown as text."""
    assert cut_silently(screen, demo.handles, HANDLE) == [], screen
    assert cut_silently(screen, demo.addresses, ADDRESS) == [], screen
    if mode == "Inbox":
        assert cut_silently(inbox_list(screen), demo.handles, INBOX_HEAD) == [], screen
    assert ESCAPE not in screen and not RAW_SEQUENCE.search(screen), screen
    assert footer_cut(screen, demo.key_words) == [], screen


def footer_cut(screen: str, words: frozenset[str]) -> list[str]:
    """The footer's entries ("a Accept", two spaces apart) whose words are not a key's whole words."""
    footer = screen.rstrip("\n").splitlines()[-1].split(PALETTE_EDGE)[0].strip()
    entries = [entry.split(" ", 1) for entry in re.split(r" {2,}", footer) if entry]
    return [" ".join(entry) for entry in entries if len(entry) != 2 or entry[1] not in words]


@pytest.fixture(params=[(80, 24), (120, 40)], ids=lambda size: f"{size[0]}x{size[1]}")
def terminal(request: pytest.FixtureRequest, tmp_path: Path) -> Terminal:
    """A private tmux server of the requested size, killed when the test ends however it ends."""
    width, height = request.param
    opened = Terminal(find_tmux(), tmp_path, width, height)
    request.addfinalizer(opened.close)
    return opened


def demo_env(home: Path) -> dict[str, str]:
    """A person's environment, in the test's own folders, on the pinned clock of tests/conftest.py."""
    return {"HOME": str(home), "PATH": f"{CALLSHEET.parent}:/usr/local/bin:/usr/bin:/bin",
            "TERM": "xterm-256color", "LANG": "C.UTF-8", "CALLSHEET_NOW": NOW, "CALLSHEET_USER": "tester",
            "PS1": PROMPT,
            "XDG_DATA_HOME": str(home / ".local/share"), "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_STATE_HOME": str(home / ".local/state"), "XDG_CACHE_HOME": str(home / ".cache")}


def test_demo_in_a_real_terminal(terminal: Terminal, tmp_path: Path) -> None:
    assert CALLSHEET.exists(), f"the console script is not installed at {CALLSHEET} (uv sync)"
    home = tmp_path / "home"
    home.mkdir()
    # After the app, an interactive shell in the same terminal: what a person is left with.
    terminal.start("callsheet demo; echo EXITED $?; exec sh", demo_env(home))
    assert terminal.pane("pane_width") == str(terminal.width)
    assert terminal.pane("pane_height") == str(terminal.height)

    screen = start(terminal)
    demo = Demo.read(home / ".local/share/callsheet/demo.db")
    assert_screen_honest(screen, demo, "Pipeline")
    switch_every_mode(terminal, demo)
    campaign = next(name for name in demo.campaigns if name in lines_with(screen, "▼")[0])
    accept_and_undo(terminal, demo, campaign)
    open_a_sent_mail(terminal, demo)
    quit_and_check_the_shell(terminal, home)


def start(terminal: Terminal) -> str:
    """The app opens in the Pipeline, the header naming the mode, the demo's own file and that it is a
    rehearsal."""
    screen = terminal.wait_until(lambda shown: header_names(shown, "Pipeline") and "rows 1–" in shown,
                                 "the Pipeline, named in the header, and its rows")
    header = screen.splitlines()[0]
    assert "demo.db · rehearsal" in header, header  # what was printed before is hidden behind the app
    assert terminal.pane("alternate_on") == "1"  # a full-screen app, over the shell's screen
    return screen


def header_names(screen: str, mode: str) -> bool:
    """The header (the top line) says which mode this is, and the tab bar under it marks that mode's
    tab, and only it (`[2 Inbox]`)."""
    lines = screen.splitlines()
    return f"callsheet · {mode}" in lines[0] and len(lines) > 1 and bar_marks(lines[1], mode)


def bar_marks(bar: str, mode: str) -> bool:
    """The tab bar lists the four modes by key, with `mode`'s alone in brackets."""
    keys = {title: key for key, title in MODES}
    tabs = [f"{keys[title]} {title}" for title in ("Pipeline", "Inbox", "Moderation", "Outbox")]
    return (all(tab in bar for tab in tabs) and f"[{keys[mode]} {mode}]" in bar
            and bar.count("[") == 1 and bar.count("]") == 1)


def switch_every_mode(terminal: Terminal, demo: Demo) -> None:
    """Each mode's key shows that mode, named in the header; every identifier on it whole or marked."""
    for key, title in MODES:
        terminal.press(key)
        screen = terminal.wait_until(lambda shown, title=title: header_names(shown, title),
                                     f"the header to name {title}")
        if title in ("Moderation", "Pipeline"):  # where @handles are listed
            screen = terminal.wait_for("@")
        assert_screen_honest(screen, demo, title)


def accept_and_undo(terminal: Terminal, demo: Demo, campaign: str) -> None:
    """Search one candidate, tag, accept (confirmed), see the undo countdown, undo: the stage is back."""
    handle, name = demo.to_review(campaign)
    terminal.press("/")
    terminal.wait_for("search: tag:")  # the search box is open (its placeholder)
    terminal.type(handle)
    terminal.wait_for(handle)
    terminal.press("Enter")
    screen = terminal.wait_for("rows 1–1 of 1")
    # The name column may end in `…`; its first letters are enough to know the row.
    assert only_row(screen).startswith(f"  {name[:8]}") and "to review" in only_row(screen), screen
    assert_screen_honest(screen, demo)

    terminal.press("Space")
    terminal.wait_until(lambda shown: "1 tagged" in shown and only_row(shown).startswith(f" ●{name[:8]}"),
                        f"{name} tagged")
    terminal.press("a")
    screen = terminal.wait_until(  # the question names the person, its buttons their keys
        lambda shown: f"Accept @{handle}" in shown and CONFIRM_KEYS.search(shown) is not None,
        f"the question to accept @{handle}, with its keys")
    assert_screen_honest(screen, demo)
    terminal.press("y")
    screen = terminal.wait_until(
        lambda shown: "in campaign" in only_row(shown) and "u undoes the accept of 1:" in shown,
        f"{name} in campaign and the undo countdown")
    # The countdown leads the status line: the accept's notification may cover the rest of it, not it.
    status = lines_with(screen, "u undoes the accept of 1:")[0]
    assert status.startswith(" u undoes the accept of 1: ") and "tagged" not in status, screen
    assert demo.stage(handle) == "in campaign"

    terminal.press("u")
    screen = terminal.wait_until(
        lambda shown: "to review" in only_row(shown) and "u undoes" not in shown,
        f"{name} back in review and the countdown gone")
    assert demo.stage(handle) == "to review"
    assert_screen_honest(screen, demo)


def only_row(screen: str) -> str:
    """The Pipeline table's one row (under its column titles), or "" while there is none."""
    lines = screen.splitlines()
    titles = next((n for n, line in enumerate(lines) if re.match(r" name +handle +stage", line)), None)
    return lines[titles + 1] if titles is not None and titles + 1 < len(lines) else ""


def open_a_sent_mail(terminal: Terminal, demo: Demo) -> None:
    """The Outbox's `f` reaches the sent mail; `enter` opens the first with its headers, `h` shows all."""
    terminal.press("4")  # the Outbox again: its header must say so, drawn while another mode was shown
    terminal.wait_until(lambda shown: header_names(shown, "Outbox") and "waiting:" in shown,
                        "the Outbox, named in the header, and its waiting mail")
    terminal.press("f")
    terminal.wait_for("planned:")
    terminal.press("f")
    screen = terminal.wait_until(lambda shown: re.search(r"^ \d+ +sent ", shown, re.M) is not None,
                                 "the sent mail listed")
    assert_screen_honest(screen, demo)
    first = re.search(r"^ (\d+) +sent +(\S+)", screen, re.M)
    assert first is not None, screen
    number, to = first.groups()
    to = to.removesuffix("…")  # an address cut to fit 80 columns is found by its start
    terminal.press("Enter")
    screen = terminal.wait_for(f"Message #{number}", f"To: {to}", "From: ", "Subject: ", "Date: ")
    assert f"message #{number}" in screen.splitlines()[0]
    assert "Message-ID:" not in screen
    assert_screen_honest(screen, demo)  # before `h`: a message id's domain is no address to check
    terminal.press("h")
    terminal.wait_for("Message-ID: <", "MIME-Version:")
    terminal.press("Escape")
    terminal.wait_until(lambda shown: header_names(shown, "Outbox") and "sent:" in shown,
                        "the Outbox's sent mail again")


def quit_and_check_the_shell(terminal: Terminal, home: Path) -> None:
    """ctrl+q ends the demo with 0; the shell's screen is back as it was, nothing raw left on it."""
    terminal.press("C-q")
    screen = terminal.wait_for("EXITED 0")
    assert "callsheet ·" not in screen  # the app's screen is gone with the alternate screen
    assert terminal.pane("alternate_on") == "0"
    assert terminal.pane("cursor_flag") == "1"  # the cursor is shown again
    assert terminal.pane("mouse_any_flag") == "0" and terminal.pane("mouse_button_flag") == "0"
    assert terminal.pane("keypad_flag") == "0"
    # What the demo said before and after the app, on the shell's screen: where its mail went.
    folder = home / ".local/share/callsheet/demo-mail"
    flat = "".join(screen.splitlines())  # the shell wraps long lines at the window's width
    assert "Demo workspace" in flat and "Casting page for" in flat
    assert "The demo's mail catcher kept" in flat and f"in {folder}." in flat
    coloured = terminal.screen(escapes=True)
    assert ESCAPE not in coloured and ESCAPE not in screen, repr(coloured)
    assert not RAW_SEQUENCE.search(screen), screen
    # The line discipline is back: what is typed is echoed and a line runs when enter is pressed.
    terminal.type("echo typed-$((20+1))")
    terminal.press("Enter")
    screen = terminal.wait_until(lambda shown: re.search(r"^typed-21$", shown, re.M) is not None,
                                 "the shell to run a typed line")
    assert f"{PROMPT}echo typed-$((20+1))" in screen


def test_what_the_demo_says_is_on_screen_after_it_even_without_an_alternate_screen(tmp_path: Path) -> None:
    """Where the app draws on the shell's own screen (no alternate screen), anything printed before it
    would be drawn over: the demo says it all after the app, in order, once."""
    assert CALLSHEET.exists(), f"the console script is not installed at {CALLSHEET} (uv sync)"
    terminal = Terminal(find_tmux(), tmp_path, 120, 40, alternate_screen=False)
    try:
        home = tmp_path / "home"
        home.mkdir()
        terminal.start("callsheet demo; echo EXITED $?; exec sh", demo_env(home))
        terminal.wait_until(lambda shown: header_names(shown, "Pipeline") and "rows 1–" in shown,
                            "the Pipeline, named in the header, and its rows")
        assert terminal.pane("alternate_on") == "0"  # the app is on the shell's screen itself
        terminal.press("C-q")
        flat = "".join(terminal.wait_for("EXITED 0").splitlines())
        said = ("Demo workspace", "Casting page for", "The demo's mail catcher kept", "EXITED 0")
        assert all(flat.count(line) == 1 for line in said if line != said[1]), flat
        assert "callsheet · Pipeline" not in flat.split("Demo workspace")[1], flat  # not mixed with the app
        assert [flat.index(line) for line in said] == sorted(flat.index(line) for line in said), flat
    finally:
        terminal.close()


def test_the_screen_check_catches_a_silent_cut() -> None:
    """The checks themselves: a handle cut bare reads as another person and is caught; one cut with
    `…`, a whole one, an address's domain and one hidden under a notification are not. A footer
    ending on a key without its whole words is caught too."""
    known = frozenset({"mia.rossi278", "ana"})
    shown = "@mia.rossi27 @mia.ross… @ana. casting@lumen.example @mia.r▌ toast"
    assert cut_silently(shown, known, HANDLE) == ["@mia.rossi27"]
    inbox = "   hugo.weber16 ●1 22/11  │ x\n   → Re: you?  │\n  ★mia.rossi27 ●1 │\n   mia.ross… 2/11 │"
    assert cut_silently(inbox_list("header\n" + inbox), frozenset({"hugo.weber16", "mia.rossi278"}),
                        INBOX_HEAD) == ["  ★mia.rossi27"]
    footer = "body\n space Tag  a Accept  ^q Quit  r Rej       ▏ ^p palette\n"
    assert footer_cut(footer, frozenset({"Tag", "Accept", "Quit", "Reject"})) == ["r Rej"]


def test_the_bar_check_needs_the_mode_marked_alone() -> None:
    bar = " 1 Pipeline [2 Inbox] 3 Moderation  4 Outbox │ all conversations"
    assert bar_marks(bar, "Inbox")
    assert not bar_marks(bar, "Pipeline")
    assert not bar_marks(bar.replace("[2 Inbox]", " 2 Inbox "), "Inbox")  # nothing marked
    assert not bar_marks("[1 Pipeline][2 Inbox] 3 Moderation  4 Outbox", "Inbox")  # two marked
