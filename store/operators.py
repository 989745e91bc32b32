"""Operators and their roles; the one place where permissions are checked."""

from __future__ import annotations

import os
import pwd
from pathlib import Path

from store.database import Database
from store.errors import Forbidden, NotFound, UserError
from store.header_text import check_header_text

ROLES = ("manager", "evaluator", "moderator", "viewer")
ENV_USER = "CALLSHEET_USER"
# The identity `callsheet serve` opens the store with: not an operator (it never becomes one, never
# the first manager), allowed only what the public pages do on a visitor's behalf.
WEB_LOGIN = "callsheet-web"
WEB_ROLE = "web"

# What each role may do; a manager may do everything.
PERMISSIONS: dict[str, frozenset[str]] = {
    "manager": frozenset({"*"}),
    "evaluator": frozenset({"read", "move_application", "write_message", "edit_influencer", "triage_inbox",
                            "sync_mail"}),
    "moderator": frozenset({"read", "moderate", "write_message", "triage_inbox", "sync_mail"}),
    "viewer": frozenset({"read"}),
    # The public pages: an application, and what a message's personal links do (each checked again
    # against the message the link's token names).
    WEB_ROLE: frozenset({"apply_from_page", "answer_invitation", "sign_agreement", "unsubscribe_by_link"}),
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
    "triage_inbox": "mark or bookmark conversations",
    "sync_mail": "sync mail",
    "export_personal_data": "export personal data",
    "apply_from_page": "record applications from the casting-call page",
    "answer_invitation": "record an answer to an invitation",
    "sign_agreement": "record a signature or refusal of an agreement",
    "unsubscribe_by_link": "unsubscribe an influencer by a message's link",
}

# The redirect of a tracked link (/t/…) records the click as the influencer who followed it.
FOLLOW_TRACKED_LINK = "follow_tracked_link"
PERMISSIONS[WEB_ROLE] |= {FOLLOW_TRACKED_LINK}
ACTION_WORDS[FOLLOW_TRACKED_LINK] = "record clicks on tracked links"


def real_login() -> str:
    """The OS account running this process, from its uid (LOGNAME and USER can be set by anyone)."""
    try:
        return pwd.getpwuid(os.getuid()).pw_name
    except KeyError:
        return f"uid{os.getuid()}"


def claimed_login() -> str | None:
    """The operator named by `CALLSHEET_USER`, if any."""
    return os.environ.get(ENV_USER, "").strip() or None


def current_login() -> str:
    """The login acting now: `CALLSHEET_USER` (checked by `check_acting_as`), else the OS account."""
    return claimed_login() or real_login()


def check_acting_as(db: Database, claimed: str, path: Path) -> None:
    """Refuse acting as another operator unless the OS login is a manager or the workspace is single-user."""
    real = real_login()
    known = {row[0]: row[1] for row in db.execute("SELECT login, role FROM operators")}
    if claimed == real or claimed not in known or known.get(real) == "manager":
        return
    if real not in known and _owned_by_caller(path) and not _other_accounts(known):
        return
    role = known.get(real, "viewer")
    article = "an" if role[0] in "aeiou" else "a"
    raise Forbidden(f"{real} is {article} {role} and may not act as {claimed} ({ENV_USER}); "
                    "only a manager may act as another operator.")


def _owned_by_caller(path: Path) -> bool:
    try:
        return path.stat().st_uid == os.getuid()
    except OSError:
        return False


def _other_accounts(known: dict[str, str]) -> list[str]:
    """Operators that are other people's accounts on this host."""
    others = []
    for login in known:
        try:
            uid = pwd.getpwnam(login).pw_uid
        except KeyError:
            continue  # a name with no account here can only be acted as, by the file's owner
        if uid != os.getuid():
            others.append(login)
    return others


def bootstrap(db: Database, login: str, now: str) -> None:
    """The login that creates a database becomes its first manager (the web pages' identity never)."""
    if login == WEB_LOGIN or db.execute("SELECT 1 FROM operators LIMIT 1").fetchone():
        return
    db.conn.execute(
        "INSERT INTO operators (login, display_name, role, created_at) VALUES (?, ?, 'manager', ?)",
        (login, login, now),
    )


def role_of(db: Database, login: str) -> str:
    if login == WEB_LOGIN:
        return WEB_ROLE
    row = db.execute("SELECT role FROM operators WHERE login = ?", (login,)).fetchone()
    return row[0] if row else "viewer"


def may(db: Database, login: str, action: str) -> bool:
    """Whether `login`'s role allows `action`."""
    allowed = PERMISSIONS[role_of(db, login)]
    return "*" in allowed or action in allowed


def require(db: Database, login: str, action: str) -> None:
    """Refuse `action` unless `login`'s role allows it."""
    if may(db, login, action):
        return
    role = role_of(db, login)
    words = ACTION_WORDS.get(action, action.replace("_", " "))
    article = "an" if role[0] in "aeiou" else "a"
    raise Forbidden(f"{login} is {article} {role} and may not {words}.")


def add(db: Database, login: str, role: str, from_address: str | None, name: str, now: str) -> None:
    """Add an operator or change one's role (the last manager stays one)."""
    if role not in ROLES:
        raise UserError(f"Unknown role {role!r}; choose one of {', '.join(ROLES)}.")
    if login == WEB_LOGIN:
        raise UserError(f"{WEB_LOGIN} is the name the casting-call pages act under; choose another login.")
    if role != "manager":
        keep_a_manager(db, login)
    check_header_text(name, "--name")
    db.conn.execute(
        """INSERT INTO operators (login, display_name, from_address, role, created_at)
           VALUES (?, ?, ?, ?, ?)
           ON CONFLICT(login) DO UPDATE SET role = excluded.role,
             from_address = coalesce(excluded.from_address, from_address),
             display_name = excluded.display_name""",
        (login, name or login, from_address, role, now),
    )


def keep_a_manager(db: Database, leaving: str) -> None:
    """Refuse to demote or remove `leaving` when it is the last manager: nobody could manage again."""
    managers = [row[0] for row in db.execute("SELECT login FROM operators WHERE role = 'manager'")]
    if managers == [leaving]:
        raise UserError(f"{leaving} is the last manager; make another operator a manager first, "
                        "or nobody could manage operators, campaigns or templates again.")


def remove(db: Database, login: str) -> None:
    """Take `login` off the operators (it reads as a viewer from then on); the last manager stays."""
    get(db, login)
    keep_a_manager(db, login)
    db.conn.execute("DELETE FROM operators WHERE login = ?", (login,))


def get(db: Database, login: str) -> dict:
    rows = list(db.query("SELECT * FROM operators WHERE login = ?", [login]))
    if not rows:
        raise NotFound(f"There is no operator {login!r}.")
    return rows[0]


def listing(db: Database) -> list[dict]:
    return list(db.query("SELECT * FROM operators ORDER BY login"))
