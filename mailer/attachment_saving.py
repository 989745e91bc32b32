"""Writing stored attachments out to a folder the operator chose: never over an existing file,
never outside that folder, never executable."""

from __future__ import annotations

import os
from pathlib import Path

from store.attachments import safe_name
from store.errors import UserError

MAX_TRIES = 1000


def _candidates(name: str) -> list[str]:
    """`brief.pdf`, then `brief (1).pdf`, `brief (2).pdf`…"""
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem:
        stem, extension = name, ""
    suffix = f".{extension}" if extension else ""
    return [name, *(f"{stem} ({number}){suffix}" for number in range(1, MAX_TRIES))]


def check_folder(folder: Path) -> Path:
    """The folder, resolved, or one sentence when it is not one."""
    if not folder.is_dir():
        raise UserError(f"{folder} is not a folder; nothing was saved.")
    return folder.resolve()


def write_new(folder: Path, name: str, data: bytes) -> Path:
    """Write `data` under the first free variant of `name` directly in `folder` (mode 0600)."""
    root = check_folder(folder)
    for candidate in _candidates(safe_name(name)):
        target = root / candidate
        if target.parent != root:  # a sanitised name has no separators; this is the last word on it
            raise UserError(f"The name {name!r} would leave {root}; nothing was saved.")
        try:
            # O_EXCL: an existing file, or a symlink planted under the name, is never written through.
            handle = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        except FileExistsError:
            continue
        except OSError as error:
            raise UserError(f"Cannot write {target} ({error.strerror or error}).") from None
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        return target
    raise UserError(f"{root} already holds {MAX_TRIES} files named like {name}; nothing was saved.")


def default_folder(home: Path | None = None, cwd: Path | None = None) -> Path:
    """Where the Inbox saves when nobody said: ~/Downloads when it exists, else the current folder."""
    downloads = (home or Path.home()) / "Downloads"
    return downloads if downloads.is_dir() else (cwd or Path.cwd())
