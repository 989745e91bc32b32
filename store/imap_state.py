"""Where the reply sync stopped in each IMAP folder: UIDVALIDITY and the last UID stored."""

from __future__ import annotations

from store.database import Database

LAST_SYNC_KEY = "imap.last_sync_at"


def begin(db: Database, folder: str, uidvalidity: int) -> int:
    """The last UID stored for `folder`; 0 (a full rescan) when UIDVALIDITY changed or it is new."""
    row = db.execute(
        "SELECT uidvalidity, last_uid FROM imap_folders WHERE folder = ?", (folder,)
    ).fetchone()
    if row is not None and row[0] == uidvalidity:
        return int(row[1])
    db.conn.execute(
        """INSERT INTO imap_folders (folder, uidvalidity, last_uid) VALUES (?, ?, 0)
           ON CONFLICT (folder) DO UPDATE SET uidvalidity = excluded.uidvalidity, last_uid = 0""",
        (folder, uidvalidity),
    )
    return 0


def advance(db: Database, folder: str, uidvalidity: int, uid: int) -> None:
    """Record that everything up to `uid` is stored (never moves back; ignored after a reset)."""
    db.conn.execute(
        """UPDATE imap_folders SET last_uid = max(last_uid, ?)
           WHERE folder = ? AND uidvalidity = ?""",
        (uid, folder, uidvalidity),
    )


def folders(db: Database) -> list[dict]:
    return list(db.query("SELECT folder, uidvalidity, last_uid FROM imap_folders ORDER BY folder"))


def record_sync(db: Database, now: str) -> None:
    db.conn.execute(
        """INSERT INTO settings (key, value) VALUES (?, ?)
           ON CONFLICT (key) DO UPDATE SET value = excluded.value""",
        (LAST_SYNC_KEY, now),
    )


def last_sync(db: Database) -> str | None:
    row = db.execute("SELECT value FROM settings WHERE key = ?", (LAST_SYNC_KEY,)).fetchone()
    return row[0] if row else None
