"""Reading a text file named on the command line ('-' for standard input), or one sentence why not."""

from __future__ import annotations

import sys
from pathlib import Path

from store.errors import UserError


def read_text(path: Path, option: str) -> str:
    """The UTF-8 text of `path` given as `option`; '-' reads standard input."""
    try:
        if str(path) == "-":
            return sys.stdin.read()
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"{option} {path}: no such file.") from None
    except IsADirectoryError:
        raise UserError(f"{option} {path} is a folder, not a file.") from None
    except UnicodeDecodeError:
        raise UserError(f"{option} {path} is not UTF-8 text.") from None
    except OSError as error:
        raise UserError(f"{option} {path} cannot be read ({error.strerror or error}).") from None
