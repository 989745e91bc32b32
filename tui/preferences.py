"""What the app remembers between runs for this login (the theme), in the user state directory.

A missing, unreadable or malformed file means the defaults: a preference is never worth an error.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import platformdirs

from tui.context import APP_NAME


def preferences_path() -> Path:
    return Path(platformdirs.user_state_dir(APP_NAME)) / "preferences.json"


def load() -> dict[str, str]:
    """The saved preferences, keeping only string values; {} when there are none or they are unreadable."""
    try:
        document = json.loads(preferences_path().read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return {}
    if not isinstance(document, dict):
        return {}
    return {key: value for key, value in document.items() if isinstance(key, str) and isinstance(value, str)}


def save(**changes: str) -> None:
    """Merge `changes` into the file, written whole (a temporary file renamed over it), owner-only."""
    path = preferences_path()
    document = {**load(), **changes}
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".preferences-")
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(document, stream, indent=2, sort_keys=True)
        os.replace(temporary, path)
    except OSError:
        return  # a read-only home keeps the choice for this run only
