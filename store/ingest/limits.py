"""How many custom variables an import may add: per file and per influencer, a workspace setting.

Every custom variable is a template variable: the sandbox's context, the editor's
variable list and every render grow with them (a 1,000,000-column file made each
later `template set` take 4.0 s and 345 MB instead of 0.6 s and 38 MB). The
setting is the workspace's, kept in `settings`, so every operator's imports obey
the same cap.
"""

from __future__ import annotations

from collections.abc import Sequence

from store import audit
from store.database import Database
from store.errors import UserError
from store.ingest.source import MAX_COLUMNS

SETTING = "import.max_custom_variables"
DEFAULT_MAX_VARIABLES = 200


def max_variables(db: Database) -> int:
    """The workspace's cap on custom variables per file and per influencer."""
    row = db.execute("SELECT value FROM settings WHERE key = ?", [SETTING]).fetchone()
    return int(row[0]) if row else DEFAULT_MAX_VARIABLES


def check_max_variables(limit: int) -> None:
    """Refuse a cap outside what one file can hold at all."""
    if not 1 <= limit <= MAX_COLUMNS:
        raise UserError(f"The custom variable limit must be between 1 and {MAX_COLUMNS:,}.")


def set_max_variables(db: Database, limit: int, *, now: str, actor: str) -> int:
    """Change the cap (audited; call in the write of a manager's action); return the previous one."""
    check_max_variables(limit)
    previous = max_variables(db)
    db.conn.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", [SETTING, str(limit)])
    audit.record(db, at=now, actor=actor, action="import.limits", entity="settings",
                 max_custom_variables=limit, previous=previous)
    return previous


def refuse_wide_file(file: str, custom_keys: Sequence[str], limit: int) -> None:
    """Refuse a file whose columns would give more than `limit` custom variables."""
    if len(custom_keys) > limit:
        raise UserError(f"{file} has {len(custom_keys):,} columns that would become custom variables; "
                        f"an import may add at most {limit} (callsheet import limits): nothing was imported.")


def refuse_wide_influencer(file: str, unit: str, over: list[tuple[int, str, int]], limit: int) -> None:
    """Refuse an import that would leave influencers with more than `limit` custom variables."""
    if not over:
        return
    line, handle, count = over[0]
    others = f" (and {len(over) - 1} more)" if len(over) > 1 else ""
    raise UserError(f"{file} {unit} {line} would give {handle} {count:,} custom variables{others}; an "
                    f"influencer may hold at most {limit} (callsheet import limits): nothing was imported.")
