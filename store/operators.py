"""Operators and their roles; the one place where permissions are checked."""

from __future__ import annotations

import getpass
import os

from sqlite_utils import Database

from store.errors import Forbidden, NotFound, UserError
from store.header_text import check_header_text

ROLES = ("manager", "evaluator", "moderator", "viewer")
ENV_USER = "CALLSHEET_USER"

# What each role may do; a manager may do everything.
PERMISSIONS: dict[str, frozenset[str]] = {
    "manager": frozenset({"*"}),
    "evaluator": frozenset({"read", "move_application", "write_message", "edit_influencer"}),
    "moderator": frozenset({"read", "moderate", "write_message"}),
    "viewer": frozenset({"read"}),
}

ACTION_WORDS = {
    "manage_campaign": "manage campaigns",
    "edit_template": "edit templates and triggers",
    "move_application": "move applications",
    "moderate": "moderate invitations",
    "write_message": "send email",
    "edit_influencer": "edit influencers",
    "import": "import influencers",
    "manage_operators": "manage operators",
    "dispatch": "dispatch email",
}


def current_login() -> str:
    """The OS login acting now (`CALLSHEET_USER` overrides it for tests and shared hosts)."""
    override = os.environ.get(ENV_USER, "").strip()
    if override:
        return override
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid{os.getuid()}"


def bootstrap(db: Database, login: str, now: str) -> None:
    """The login that creates a database becomes its first manager."""
    if db.execute("SELECT 1 FROM operators LIMIT 1").fetchone():
        return
    db.conn.execute(
        "INSERT INTO operators (login, display_name, role, created_at) VALUES (?, ?, 'manager', ?)",
        (login, login, now),
    )


def role_of(db: Database, login: str) -> str:
    row = db.execute("SELECT role FROM operators WHERE login = ?", (login,)).fetchone()
    return row[0] if row else "viewer"


def require(db: Database, login: str, action: str) -> None:
    """Refuse `action` unless `login`'s role allows it."""
    role = role_of(db, login)
    allowed = PERMISSIONS[role]
    if "*" in allowed or action in allowed:
        return
    words = ACTION_WORDS.get(action, action.replace("_", " "))
    article = "an" if role[0] in "aeiou" else "a"
    raise Forbidden(f"{login} is {article} {role} and may not {words}.")


def add(db: Database, login: str, role: str, from_address: str | None, name: str, now: str) -> None:
    if role not in ROLES:
        raise UserError(f"Unknown role {role!r}; choose one of {', '.join(ROLES)}.")
    check_header_text(name, "--name")
    db.conn.execute(
        """INSERT INTO operators (login, display_name, from_address, role, created_at)
           VALUES (?, ?, ?, ?, ?)
           ON CONFLICT(login) DO UPDATE SET role = excluded.role,
             from_address = coalesce(excluded.from_address, from_address),
             display_name = excluded.display_name""",
        (login, name or login, from_address, role, now),
    )


def get(db: Database, login: str) -> dict:
    rows = list(db.query("SELECT * FROM operators WHERE login = ?", [login]))
    if not rows:
        raise NotFound(f"There is no operator {login!r}.")
    return rows[0]


def listing(db: Database) -> list[dict]:
    return list(db.query("SELECT * FROM operators ORDER BY login"))
