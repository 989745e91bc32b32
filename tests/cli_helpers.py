"""Running the command line in tests, the way a user would."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from tui.cli import main


def run(db_path: Path, *args: str, input: str | None = None) -> Result:
    """Invoke `callsheet --db db_path ARGS…` in-process."""
    return CliRunner().invoke(main, ["--db", str(db_path), *args], input=input,
                              catch_exceptions=False)


def run_json(db_path: Path, *args: str) -> Any:
    result = run(db_path, *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def assert_user_error(result: Result, fragment: str) -> None:
    """One sentence on stderr, a non-zero exit and never a traceback."""
    assert result.exit_code != 0
    assert "Traceback" not in result.output and "Traceback" not in result.stderr
    assert fragment in result.stderr, result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
