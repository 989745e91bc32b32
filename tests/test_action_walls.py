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
    "mailer/daemon.py", "mailer/demo.py", "mailer/dispatch/db_thread.py", "mailer/outreach/planner.py",
    "mailer/dispatch/prebuild.py", "mailer/outreach/retime.py", "mailer/outreach/sequence.py",
    "mailer/imap/sync.py",
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
    offenders = {_rel(p): _calls(p) for p in _modules("tui")}
    assert {path: calls for path, calls in offenders.items() if calls} == {}


def test_only_actions_and_engines_write_in_the_mailer() -> None:
    offenders = {}
    for path in _modules("mailer"):
        rel = _rel(path)
        if rel.startswith("mailer/actions/") or rel in ENGINES:
            continue
        offenders[rel] = _calls(path)
    assert {path: calls for path, calls in offenders.items() if calls} == {}


def test_engines_check_no_roles() -> None:
    checks = {name: [c for c in _calls(ROOT / name) if not c.endswith(": write")]
              for name in ENGINES}
    assert {name: found for name, found in checks.items() if found} == {}


def test_every_engine_named_exists_and_writes() -> None:
    # A stale entry would let a new module of that name write unnoticed.
    assert sorted(name for name in ENGINES if not (ROOT / name).exists() or not _calls(ROOT / name)) == []
