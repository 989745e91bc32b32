"""Every failure of the command line is one sentence, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from store.db import Store
from tests.cli_helpers import assert_user_error, run


def _cli(db_path: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tui.cli", "--db", str(db_path), *args],
                          capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=60)


def test_bad_pinned_clock_is_one_sentence(db_path: Path) -> None:
    done = _cli(db_path, "campaign", "list", env={"CALLSHEET_NOW": "tomorrow"})
    assert done.returncode == 1
    assert done.stderr.strip() == "Error: The CALLSHEET_NOW 'tomorrow' is not an ISO 8601 date and time."


def test_unreadable_database_is_one_sentence(tmp_path: Path) -> None:
    bogus = tmp_path / "not-a-db.db"
    bogus.write_bytes(b"this is not sqlite" * 100)
    done = _cli(bogus, "campaign", "list")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "Cannot open the database" in done.stderr


def test_unexpected_errors_name_the_log(db_path: Path, store: Store, tmp_path: Path) -> None:
    """A bug gives a short message and the path of the full traceback."""
    code = ("import sys; from tui import cli; import store.campaigns as c;\n"
            "c.listing = lambda db: 1/0\n"
            "sys.argv = ['callsheet', '--db', sys.argv[1], 'campaign', 'list']; cli.main()")
    done = subprocess.run([sys.executable, "-c", code, str(db_path)], capture_output=True, text=True,
                          env={**os.environ, "XDG_STATE_HOME": str(tmp_path / "state")}, timeout=60)
    assert done.returncode == 2
    assert "unexpected ZeroDivisionError" in done.stderr and "Traceback" not in done.stderr
    log = tmp_path / "state" / "callsheet" / "log" / "errors.log"
    assert "ZeroDivisionError" in log.read_text()


def test_usage_errors_come_from_click(db_path: Path) -> None:
    result = run(db_path, "campaign", "create")
    assert result.exit_code == 2 and "Missing argument" in result.output


def test_unknown_campaign_everywhere(db_path: Path, store: Store) -> None:
    assert_user_error(run(db_path, "campaign", "show", "ghost"), "ghost")
