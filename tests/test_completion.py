"""Shell completion (click's) for the installed `callsheet`, in a real bash."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent


def _complete(words: str, cword: int) -> list[str]:
    """COMPREPLY after bash's completion function ran on `words` with the cursor on word `cword`."""
    script = ('eval "$(_CALLSHEET_COMPLETE=bash_source callsheet)"\n'
              f'COMP_WORDS=({words}); COMP_CWORD={cword}; _callsheet_completion callsheet\n'
              'printf "%s\\n" "${COMPREPLY[@]}"\n')
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(["bash", "--norc", "-c", script], capture_output=True, text=True, env=env,
                          check=False, timeout=120)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    return done.stdout.split()


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_bash_completes_commands_subcommands_and_options() -> None:
    assert _complete("callsheet con", 1) == ["config"]
    assert _complete("callsheet config ''", 2) == ["path", "show"]
    assert "--status" in _complete("callsheet outbox --st", 2)
    assert {"campaign", "inbox", "moderation", "tui"} <= set(_complete("callsheet ''", 1))


def test_the_completion_scripts_are_printed_without_a_traceback() -> None:
    for shell, marker in (("zsh_source", "#compdef callsheet"), ("fish_source", "complete")):
        done = subprocess.run([str(BIN / "callsheet")], capture_output=True, text=True, check=False,
                              env={**os.environ, "_CALLSHEET_COMPLETE": shell}, timeout=120)
        assert done.returncode == 0 and marker in done.stdout, done.stderr
