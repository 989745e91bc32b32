"""Files to attach to outgoing mail: read once from where the operator named them, checked against
the size limit per message, then kept in the attachment store that every copy is built from."""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mailer.config import load_attachment_limits
from store import attachment_files, attachments
from store.attachments import FileRef, human_size, safe_name
from store.database import Database
from store.db import Store
from store.errors import UserError

NOTHING = "nothing was queued"


@dataclass(frozen=True)
class OutgoingFile:
    """A file as it was read: the name it goes out under and its bytes."""

    name: str
    data: bytes

    @property
    def label(self) -> str:
        return f"{self.name} ({human_size(len(self.data))})"


def _too_large(total: int, limit: int, what: str) -> UserError:
    return UserError(f"{what} come to {human_size(total)}, over the limit of {human_size(limit)} per "
                     f"message (max_send_bytes in [attachments]); {NOTHING}.")


def _read_one(path: Path, room: int, limit: int, total: int) -> bytes:
    """The file's bytes, never more than `room` + 1 of them read (a huge file is refused unread)."""
    try:
        with path.open("rb") as handle:
            status = os.fstat(handle.fileno())
            if not stat.S_ISREG(status.st_mode):
                raise UserError(f"--attach {path} is not a file; {NOTHING}.")
            if status.st_size > room:
                raise _too_large(total + status.st_size, limit, "The attachments")
            data = handle.read(room + 1)
    except FileNotFoundError:
        raise UserError(f"--attach {path}: no such file; {NOTHING}.") from None
    except IsADirectoryError:
        raise UserError(f"--attach {path} is a folder, not a file; {NOTHING}.") from None
    except OSError as error:
        raise UserError(f"--attach {path} cannot be read ({error.strerror or error}); {NOTHING}.") from None
    if len(data) > room:
        raise _too_large(total + len(data), limit, "The attachments")
    return data


def read_files(paths: Sequence[Path], limit: int | None = None) -> list[OutgoingFile]:
    """Each named file read once, or one sentence (missing, unreadable, over the limit) and nothing."""
    limit = load_attachment_limits().max_send_bytes if limit is None else limit
    files: list[OutgoingFile] = []
    total = 0
    for path in paths:
        data = _read_one(Path(path), limit - total, limit, total)
        total += len(data)
        files.append(OutgoingFile(safe_name(Path(path).name), data))
    return files


def check_total(sizes: Sequence[int], limit: int | None = None, what: str = "The attachments") -> None:
    """Refuse a message whose files together exceed the limit per message."""
    limit = load_attachment_limits().max_send_bytes if limit is None else limit
    if sum(sizes) > limit:
        raise _too_large(sum(sizes), limit, what)


def ready(store: Store, files: Sequence[OutgoingFile]) -> None:
    """Check the files against the limit and put their bytes in the attachment store, before the
    action's transaction (so the write lock never waits on the disk); `keep` then only records them."""
    check_total([len(file.data) for file in files])
    if files:
        folder = attachment_files.folder(store.reader())
        for file in files:
            attachment_files.put(folder, file.data)


def keep(db: Database, files: Sequence[OutgoingFile], *, now: str) -> tuple[FileRef, ...]:
    """Record each file once (in the caller's transaction; `ready` stored its bytes) and return what a
    message links to."""
    return tuple(FileRef(attachments.store_bytes(db, file.data, now=now), file.name, len(file.data))
                 for file in files)


def split_paths(text: str) -> tuple[Path, ...]:
    """The dialog's file field: paths separated by `;`, `~` expanded, blanks dropped."""
    return tuple(Path(part.strip()).expanduser() for part in text.split(";") if part.strip())


def describe(paths: Sequence[Path]) -> str:
    """What the dialog shows under its file field: each file's size and the total, or what is wrong."""
    if not paths:
        return ""
    shown, total = [], 0
    for path in paths:
        try:
            size = path.stat().st_size if path.is_file() else None
        except OSError:
            size = None
        if size is None:
            return f"{path.name or path}: no such file"
        total += size
        shown.append(f"{path.name} {human_size(size)}")
    limit = load_attachment_limits().max_send_bytes
    over = f", over the {human_size(limit)} limit" if total > limit else ""
    return " · ".join(shown) + (f" · {human_size(total)} in all" if len(paths) > 1 else "") + over
