"""The command line under rough use: closed pipes, --db anywhere, missing workspaces, extremes, wording."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from store.db import Store
from store.wording import plural
from tests.cli_helpers import assert_user_error, run
from tests.import_helpers import ANA, fingerprint, write_csv
from tests.inbox_helpers import add_campaign, add_influencer, send

HUGE = "1" + "0" * 21  # 10^21: more than SQLite's 64-bit integers hold


@pytest.fixture
def workspace(store: Store, db_path: Path) -> Path:
    """Two campaigns, forty influencers and one queued message; closed, so commands open it themselves."""
    campaign = add_campaign(store, "Spring")
    add_campaign(store, "Autumn")
    people = [add_influencer(store, f"person{n:02d}", name=f"Person Number {n:02d}") for n in range(40)]
    send(store, people[0], campaign_id=campaign, kind="manual", status="queued")
    store.close()
    return db_path


def _pipe_closed_run(db_path: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    """Run the CLI with stdout a pipe whose reader has already gone (as after `| head` exits)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run([sys.executable, "-m", "tui.cli", "--db", str(db_path), *args],
                              stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=120,
                              env={**os.environ, "XDG_STATE_HOME": str(tmp_path / "state")})
    finally:
        os.close(write_end)


@pytest.mark.parametrize("args", [("influencers", "--limit", "0"), ("campaign", "list"),
                                  ("audit", "--json")], ids=["large output", "small output", "json"])
def test_a_closed_pipe_ends_the_command_quietly(workspace: Path, tmp_path: Path, args: tuple) -> None:
    done = _pipe_closed_run(workspace, tmp_path, *args)
    assert done.stderr == ""  # no "unexpected BrokenPipeError", no "Exception ignored"
    assert done.returncode == 141
    assert not (tmp_path / "state" / "callsheet" / "log" / "errors.log").exists()


def test_head_reads_the_first_line_and_the_rest_is_dropped_quietly(workspace: Path, tmp_path: Path) -> None:
    command = (f"{sys.executable} -m tui.cli --db {workspace} influencers --limit 0 | head -n 1; "
               "echo status=${PIPESTATUS[0]} >&2")
    done = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "XDG_STATE_HOME": str(tmp_path / "state")})
    assert done.stdout.startswith("HANDLE") and done.stdout.count("\n") == 1
    assert done.stderr.strip() in ("status=0", "status=141"), done.stderr  # 0 only if it all fit the pipe
    assert "Error" not in done.stderr and "Exception" not in done.stderr


def _invoke(*args: str):
    return CliRunner().invoke(__import__("tui.cli", fromlist=["main"]).main, list(args),
                              catch_exceptions=False)


@pytest.mark.parametrize("command", [("campaign", "list"), ("campaign", "list", "--json"),
                                     ("campaign", "show", "Spring"), ("moderation", "list"),
                                     ("audit",), ("outbox", "--json"), ("operator", "list")])
def test_db_works_before_and_after_the_command_name(workspace: Path, command: tuple) -> None:
    before = _invoke("--db", str(workspace), *command)
    after = _invoke(*command, "--db", str(workspace))
    assert before.exit_code == after.exit_code == 0, after.output
    assert before.stdout == after.stdout and before.stdout.strip()


def test_db_after_a_nested_command_and_the_demo(tmp_path: Path) -> None:
    demo = tmp_path / "elsewhere" / "my-demo.db"
    made = _invoke("demo", "--no-open", "--db", str(demo))
    assert made.exit_code == 0, made.output
    assert "320 influencers" in made.stdout and demo.exists()
    listed = _invoke("campaign", "list", "--db", str(demo))
    assert listed.exit_code == 0 and "Glow Serum Launch" in listed.stdout
    shown = _invoke("bounces", "--db", str(demo))
    assert shown.exit_code == 0, shown.output


def test_two_different_db_files_are_refused(workspace: Path, tmp_path: Path) -> None:
    result = _invoke("--db", str(workspace), "campaign", "list", "--db", str(tmp_path / "other.db"))
    assert_user_error(result, "--db names two files")


READ_COMMANDS = [("campaign", "list"), ("campaign", "show", "Spring"), ("inbox",), ("history", "ana"),
                 ("audit",), ("operator", "list"), ("status", "Spring"), ("moderation", "list"),
                 ("plan",), ("dispatch",), ("outbox",), ("influencers",), ("segment", "list"),
                 ("unmatched",), ("bounces",), ("note", "ana", "hello"), ("sync",)]


@pytest.mark.parametrize("command", READ_COMMANDS, ids=" ".join)
def test_a_command_that_needs_a_workspace_creates_none(tmp_path: Path, command: tuple) -> None:
    missing = tmp_path / "typo" / "typo.db"
    result = run(missing, *command)
    assert_user_error(result, f"There is no workspace at {missing}")
    assert "callsheet demo" in result.stderr
    assert not missing.parent.exists()


def test_the_default_path_points_at_the_demo_when_there_is_one(tmp_path: Path) -> None:
    assert _invoke("demo", "--no-open").exit_code == 0
    result = _invoke("campaign", "list")
    demo = tmp_path / "xdg-data" / "callsheet" / "demo.db"
    assert_user_error(result, f"pass --db {demo}")
    assert not (tmp_path / "xdg-data" / "callsheet" / "callsheet.db").exists()


def test_creating_commands_make_the_workspace(tmp_path: Path) -> None:
    people = write_csv(tmp_path / "people.csv", [ANA])
    for name, command in {"import": ("import", "influencers", str(people)),
                          "campaign": ("campaign", "create", "Spring"),
                          "operator": ("operator", "add", "mia", "--role", "viewer")}.items():
        path = tmp_path / name / "new.db"
        result = run(path, *command)
        assert result.exit_code == 0, result.output
        assert path.exists()
        assert run(path, "campaign", "list").exit_code == 0  # and then it reads


EXTREMES = [
    ("campaign", "create", "Huge", "--daily-cap", HUGE),
    ("history", "person00", "--limit", HUGE),
    ("moderation", "show", "1" + "0" * 23),
    ("outbox", "retry", HUGE),
    ("moderation", "skip", "1", HUGE),
    ("plan", "--date", "9999-12-31"),
    ("moderation", "list", "--date", "0001-01-01"),
    ("campaign", "create", "Late", "--closes", "9999-12-31"),
    ("decide", "Spring", "person00", "shortlist", "--grace", HUGE),
    ("campaign", "create", "Rich", "--budget", "inf"),
    ("campaign", "create", "Odd", "--min-engagement", "nan"),
    ("apply", "Spring", "person00", "--fee", "-inf"),
]


@pytest.mark.parametrize("command", EXTREMES, ids=" ".join)
def test_extreme_values_are_one_sentence_and_change_nothing(workspace: Path, command: tuple) -> None:
    before = fingerprint(workspace)
    result = run(workspace, *command)
    assert_user_error(result, "out of range")
    assert result.exit_code == 1
    assert fingerprint(workspace) == before


@pytest.mark.parametrize("target", ["/proc/x.csv", "/proc/self/nowhere/x.csv", "/nonexistent-dir/x.csv"])
def test_an_unwritable_export_path_is_one_sentence(workspace: Path, target: str) -> None:
    before = fingerprint(workspace)
    result = run(workspace, "export", "addresses", "Spring", "--out", target)
    assert_user_error(result, target.rsplit("/", 1)[0])
    assert result.exit_code == 1 and "Errno" not in result.stderr
    assert fingerprint(workspace) == before


def test_bulk_with_no_terminal_and_no_yes_is_refused_in_one_sentence(workspace: Path, tmp_path: Path) -> None:
    body = tmp_path / "b.txt"
    body.write_text("News")
    before = fingerprint(workspace)
    args = ("bulk", "person01", "--subject", "News", "--body-file", str(body), "--campaign", "Spring")
    result = run(workspace, *args)
    assert "Aborted" not in result.output
    assert "Queue 1 message?" in result.stdout
    assert result.exit_code == 1
    assert result.stderr == "Error: Nothing was queued: confirm with --yes when not at a terminal.\n"
    assert fingerprint(workspace) == before
    done = run(workspace, *args, "--yes")
    assert done.exit_code == 0 and done.stdout.endswith("Queued 1 message.\n")


@pytest.mark.parametrize("command", [
    ("compose", "person01", "--subject", "Hi", "--body-file", "{missing}"),
    ("reply", "person00", "--body-file", "{missing}"),
    ("bulk", "person01", "--subject", "Hi", "--body-file", "{missing}", "--yes"),
    ("template", "set", "Spring", "invitation", "--lang", "en", "--subject", "Hi",
     "--body-file", "{missing}"),
    ("moderation", "edit", "1", "--body-file", "{missing}"),
], ids=lambda c: c[0])
def test_a_missing_body_file_is_a_sentence(workspace: Path, tmp_path: Path, command: tuple) -> None:
    missing = tmp_path / "nope.txt"
    result = run(workspace, *(part.format(missing=missing) for part in command))
    assert_user_error(result, f"--body-file {missing}: no such file.")
    assert "Errno" not in result.stderr


def test_counted_words_agree_with_their_number() -> None:
    assert [plural(n, "message") for n in (0, 1, 2)] == ["0 messages", "1 message", "2 messages"]
    assert plural(1, "address", "addresses") == "1 address"
    assert plural(3, "address", "addresses") == "3 addresses"
    assert (plural(1.0, "day"), plural(2.5, "day")) == ("1 day", "2.5 days")
