"""A real terminal for tests: one private tmux server per test, read with capture-pane, typed into
with send-keys, synchronised only by polling the screen for what a person would wait to see.

`tmux -f <its own config>` so nobody's ~/.tmux.conf changes the size or the keys; no status line,
so the program gets the whole window.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from tests.programs import required

WAIT_SECONDS = 60.0  # generous: a 2-core machine at load 8 starts Python slowly; only a failure waits it out
POLL_SECONDS = 0.1
CONFIG = "set -g status off\nset -g history-limit 2000\n"


def find_tmux() -> str:
    """The tmux binary; without it the test is skipped, or fails where `CI` is set (as Dovecot's do)."""
    return required("tmux", "tmux")


class Terminal:
    """One tmux window of a fixed size running one shell command; `close` kills its server."""

    def __init__(self, tmux: str, folder: Path, width: int, height: int, *,
                 alternate_screen: bool = True) -> None:
        """`alternate_screen=False`: as GNU screen by default, an app draws on the shell's own screen."""
        self.tmux = tmux
        self.socket = f"callsheet-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.config = folder / "tmux.conf"
        extra = "" if alternate_screen else "setw -g alternate-screen off\n"
        self.config.write_text(CONFIG + extra, encoding="utf-8")
        self.width, self.height = width, height
        self.started = False
        self.socket_path: Path | None = None

    def _tmux(self, *args: str) -> str:
        done = subprocess.run([self.tmux, "-L", self.socket, "-f", str(self.config), *args],
                              capture_output=True, text=True, timeout=30, check=False)
        if done.returncode != 0:
            raise AssertionError(f"tmux {' '.join(args)} failed: {done.stderr.strip()}")
        return done.stdout

    def start(self, command: str, env: Mapping[str, str]) -> None:
        """Run `command` under `sh -c` with exactly `env` (nothing of the test runner's leaks in)."""
        assignments = [f"{name}={value}" for name, value in env.items()]
        argv = ["env", "-i", *assignments, "sh", "-c", command]
        self.started = True
        self._tmux("new-session", "-d", "-x", str(self.width), "-y", str(self.height), shlex.join(argv))
        self.socket_path = Path(self.pane("socket_path"))

    def close(self) -> None:
        """Kill this test's server and remove its socket (tmux leaves the file behind)."""
        if self.started:
            subprocess.run([self.tmux, "-L", self.socket, "kill-server"], capture_output=True, timeout=30,
                           check=False)
            self.started = False
        if self.socket_path is not None:
            self.socket_path.unlink(missing_ok=True)

    def screen(self, escapes: bool = False) -> str:
        """The visible window as text (with `escapes`, tmux's SGR codes for the cells' colours too)."""
        return self._tmux("capture-pane", "-p", *(["-e"] if escapes else []))

    def pane(self, variable: str) -> str:
        """One of tmux's format variables for the pane (alternate_on, cursor_flag, pane_width…)."""
        return self._tmux("display-message", "-p", f"#{{{variable}}}").strip()

    def press(self, *keys: str) -> None:
        """Keys by tmux's names (Enter, Escape, Space, C-q, or a single character)."""
        self._tmux("send-keys", *keys)

    def type(self, text: str) -> None:
        """Literal text, as if typed."""
        self._tmux("send-keys", "-l", text)

    def wait_until(self, seen: Callable[[str], bool], what: str, timeout: float = WAIT_SECONDS) -> str:
        """Poll the screen until `seen(screen)` on two captures in a row that are the same (a frame
        caught half drawn is never the one returned); that screen. Failing, the message holds the last."""
        deadline = time.monotonic() + timeout
        previous = None
        while True:
            screen = self.screen()
            if screen == previous and seen(screen):
                return screen
            previous = screen
            if time.monotonic() > deadline:
                raise AssertionError(f"waited {timeout:.0f} s for {what}; the screen was:\n{screen}")
            time.sleep(POLL_SECONDS)  # a poll interval, not a synchronisation: the loop waits for the text

    def wait_for(self, *texts: str, timeout: float = WAIT_SECONDS) -> str:
        """Poll until every one of `texts` is on screen at once; the screen then."""
        return self.wait_until(lambda screen: all(text in screen for text in texts),
                               " and ".join(repr(text) for text in texts), timeout)


def lines_with(screen: str, text: str) -> Sequence[str]:
    """The screen's lines that contain `text`."""
    return [line for line in screen.splitlines() if text in line]
