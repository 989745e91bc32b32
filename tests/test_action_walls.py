"""Write transactions and role checks live in the actions, never in a front end.

A command, a screen or a web page parses input, calls one action from `mailer/actions/`
and shows its result. The only other writers are the engines that run by themselves
(sending, syncing, planning on the daemon's clock), which no person calls directly.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Engines: they write on their own schedule (the dispatcher's results, the IMAP sync, the
# daily plan), so their transactions are not a person's action. They check no roles.
ENGINES = {
    "mailer/daemon.py", "mailer/demo.py", "mailer/dispatch_db.py", "mailer/planner.py",
    "mailer/prebuild.py", "mailer/retime.py", "mailer/sequence.py", "mailer/sync.py",
}

# Front ends and mailer modules still to be moved onto the actions (issue 12); it only shrinks.
NOT_YET = {
    "mailer/bulk.py", "mailer/campaign_state.py", "mailer/compose.py",
    "mailer/pipeline.py",
    "tui/commands/campaign.py", "tui/commands/compose.py", "tui/commands/dispatch.py",
    "tui/commands/export.py", "tui/commands/inbox.py", "tui/commands/operator.py",
    "tui/commands/run.py", "tui/commands/segment.py",
    "tui/commands/sync.py", "tui/commands/unsubscribe.py",
    "tui/dispatch_worker.py", "tui/screens/inbox_data.py", "tui/screens/outbox.py",
    "mailer/sync.py",  # an engine whose entry point still checks the role a person's sync needs
}

ROLE_CHECKS = {"require", "may"}


def _calls(path: Path) -> list[str]:
    """`write()` transactions and role checks called in `path`, as 'line: name'."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        if (name == "write" and not node.args and not node.keywords) or name in ROLE_CHECKS:
            found.append(f"{node.lineno}: {name}")
    return found


def _modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_front_ends_open_no_transaction_and_check_no_role() -> None:
    offenders = {_rel(p): _calls(p) for p in _modules("tui") if _rel(p) not in NOT_YET}
    assert {path: calls for path, calls in offenders.items() if calls} == {}


def test_only_actions_and_engines_write_in_the_mailer() -> None:
    allowed = ENGINES | NOT_YET
    offenders = {}
    for path in _modules("mailer"):
        rel = _rel(path)
        if rel.startswith("mailer/actions/") or rel in allowed:
            continue
        offenders[rel] = _calls(path)
    assert {path: calls for path, calls in offenders.items() if calls} == {}


def test_engines_check_no_roles() -> None:
    checks = {name: [c for c in _calls(ROOT / name) if not c.endswith(": write")]
              for name in ENGINES - NOT_YET if (ROOT / name).exists()}
    assert {name: found for name, found in checks.items() if found} == {}


def test_the_waiting_list_names_only_files_that_still_need_it() -> None:
    # A file moved onto the actions leaves NOT_YET; a stale entry would hide a new offender.
    stale = sorted(name for name in NOT_YET if not (ROOT / name).exists() or not _calls(ROOT / name))
    assert stale == []
