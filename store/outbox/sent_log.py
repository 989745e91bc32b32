"""Each dispatcher's sent log: one line per message the server accepted, in a file of its own.

A send must be recorded before the connection hands the server its next message (R1). As a
row in the database that cost a write transaction per batch (~50 µs) and a wait whenever a
claim, or another dispatcher, held the write lock; appended to a file this dispatcher alone
writes, it is one write(2) that never waits. It survives the process being killed as a WAL
commit does (`synchronous = NORMAL`: the page cache has it, not yet the disk).

The logs live in a folder beside the database (`<database>-sent/<owner>.log`). A dispatcher's
claims fold its log into `messages` in bulk; a message stays `sending` until then, so every
path that takes leases back folds their owners' logs first, in the same transaction: a logged
message is never sent again. A line lands only on a row still `sending` under the token it
names, so folding is idempotent and a lease taken over meanwhile is left alone (R7).
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from store.database import Database
from store.errors import UserError

# Fold lines into the rows still leased under their token; the rest are stale. The `+` keeps
# SQLite from walking every `sending` row through the status index and probing the lines for each.
_FOLD = """
    UPDATE messages SET status = 'sent', sent_at = s.sent_at, updated_at = s.sent_at,
        last_smtp_response = s.response, lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL
    FROM (SELECT value ->> 0 AS id, value ->> 1 AS token, value ->> 2 AS sent_at, value ->> 3 AS response
          FROM json_each(?)) AS s
    WHERE messages.id = s.id AND messages.lease_token = s.token AND +messages.status = 'sending'"""

# A log folded to its end is emptied once it holds this much, so a long run's file stays small.
TRUNCATE_BYTES = 1 << 20


def folder_of(database: Path) -> Path:
    return database.with_name(database.name + "-sent")


def database_path(db: Database) -> Path | None:
    """The file behind `db`'s main database (None in memory)."""
    for _, name, file in db.execute("PRAGMA database_list").fetchall():
        if name == "main":
            return Path(file) if file else None
    return None


def log_path(database: Path, owner: str) -> Path:
    return folder_of(database) / (owner.replace(os.sep, "%2F") + ".log")


def _line(message_id: int, token: str, sent_at: str, response: str) -> bytes:
    # Tab-separated, since JSON per line cost as much as the rest of recording a send; the
    # reply is the server's words on one line already, kept so even if it were not.
    reply = " ".join(response.split())
    return f"{int(message_id)}\t{token}\t{sent_at}\t{reply}\n".encode()


def _lines(data: bytes) -> list[list]:
    """The whole lines of `data` that parse; a torn last line (a write cut short) is skipped."""
    entries = []
    for line in data.decode("utf-8", "replace").split("\n")[:-1]:
        fields = line.split("\t")
        if len(fields) == 4 and fields[0].isdigit():
            entries.append([int(fields[0]), *fields[1:]])
    return entries


def _fold_entries(db: Database, entries: list[list]) -> int:
    if not entries:
        return 0
    return db.conn.execute(_FOLD, [json.dumps(entries)]).rowcount


def fold_owners(db: Database, owners: Iterable[str | None]) -> int:
    """Fold the whole logs of `owners` into `messages`; call in a write transaction before
    taking back any of their leases. Returns how many messages were recorded as sent."""
    database = database_path(db)
    if database is None:
        return 0
    folded = 0
    for owner in {owner for owner in owners if owner}:
        try:
            data = log_path(database, owner).read_bytes()
        except FileNotFoundError:
            continue
        folded += _fold_entries(db, _lines(data))
    return folded


def sweep(db: Database, is_dead: Callable[[str], bool]) -> int:
    """Delete the logs of dead owners that lease nothing any more (folded, or taken back);
    returns how many. Call outside any transaction: a log holding an unfolded line always
    has its owner's `sending` row beside it, so it is kept."""
    database = database_path(db)
    if database is None or not folder_of(database).is_dir():
        return 0
    removed = 0
    for path in folder_of(database).glob("*.log"):
        owner = path.name[:-len(".log")].replace("%2F", os.sep)
        if not is_dead(owner):
            continue
        if db.execute("SELECT 1 FROM messages WHERE status = 'sending' AND lease_owner = ? LIMIT 1",
                      [owner]).fetchone() is None:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


class SentLog:
    """One dispatcher's log: appended to by its event loop, folded by its database thread."""

    @classmethod
    def open(cls, db: Database, owner: str) -> SentLog:
        """`owner`'s log beside `db`'s file, named as the folds of other dispatchers will look for it."""
        database = database_path(db)
        if database is None:
            raise ValueError("a sent log needs a database file")
        return cls(database, owner)

    def __init__(self, database: Path, owner: str) -> None:
        self.path = log_path(database, owner)
        try:
            self.path.parent.mkdir(mode=0o700, exist_ok=True)
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        except OSError as error:
            raise UserError(f"Cannot keep the record of sent mail in {self.path.parent} "
                            f"({error.strerror or error}); nothing was sent.") from None
        self._lock = threading.Lock()
        self._broken: OSError | None = None
        self.folded = 0  # bytes at the front of the file already folded and committed

    def append(self, entries: Iterable[tuple[int, str, str, str]]) -> None:
        """Record sends (message id, lease token, time, the server's reply) in one write.

        After a failed write nothing more is accepted: a torn line must stay the last one."""
        data = b"".join(_line(*entry) for entry in entries)
        with self._lock:
            if self._broken is not None:
                raise self._broken
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(self._fd, view):]
            except OSError as error:
                self._broken = error
                raise

    def fold(self, db: Database) -> tuple[int, int]:
        """Fold what was appended since the last committed fold; call in a write transaction,
        then `committed(end)` once it is committed. Returns (messages recorded, end)."""
        with self._lock:
            size = os.fstat(self._fd).st_size
        if size <= self.folded:
            return 0, self.folded
        with self.path.open("rb") as log:
            log.seek(self.folded)
            data = log.read(size - self.folded)
        end = self.folded + data.rfind(b"\n") + 1
        return _fold_entries(db, _lines(data[:end - self.folded])), end

    def committed(self, end: int) -> None:
        """The fold up to `end` is committed; empty the file if nothing came after and it grew big."""
        with self._lock:
            self.folded = max(self.folded, end)
            if self.folded >= TRUNCATE_BYTES and os.fstat(self._fd).st_size == self.folded:
                os.ftruncate(self._fd, 0)
                self.folded = 0

    def close(self, *, remove: bool) -> None:
        """Close the file; remove it when everything in it is folded (the caller knows)."""
        with self._lock:
            if self._fd >= 0:
                os.close(self._fd)
                self._fd = -1
            if remove:
                self.path.unlink(missing_ok=True)
