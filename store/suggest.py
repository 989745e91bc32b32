""""Did you mean …?": the closest known name to a mistyped campaign, segment or handle."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from store.database import Database
from store.handles import handle_key

CUTOFF = 0.6
# Handles are looked for among those sharing the first characters: at 100,000 influencers a
# comparison with every handle would cost a second, and a typo is rarely in the first letter.
HANDLE_PREFIX = 1
HANDLE_CANDIDATES = 5000


def closest(word: str, names: Iterable[str]) -> str | None:
    """The known name closest to `word` (case ignored), or None when none is close."""
    by_key = {name.casefold(): name for name in names}
    close = difflib.get_close_matches(word.strip().casefold(), list(by_key), n=1, cutoff=CUTOFF)
    return by_key[close[0]] if close else None


def hint(word: str, names: Iterable[str]) -> str:
    """The end of a "there is no …" sentence: `; did you mean 'X'?`, or a full stop."""
    found = closest(word, names)
    return f"; did you mean {found!r}?" if found else "."


def closest_handle(db: Database, handle: str) -> str | None:
    """The stored handle closest to `handle`, among those that start as it does."""
    key = handle_key(handle)
    if len(key) < HANDLE_PREFIX:
        return None
    prefix = key[:HANDLE_PREFIX]
    rows = db.execute("SELECT handle, handle_key FROM influencers WHERE handle_key >= ? AND handle_key < ? "
                      "LIMIT ?", [prefix, prefix + "\U0010ffff", HANDLE_CANDIDATES]).fetchall()
    by_key = {row[1]: row[0] for row in rows}
    close = difflib.get_close_matches(key, list(by_key), n=1, cutoff=CUTOFF)
    return by_key[close[0]] if close else None


def handle_hint(db: Database, handle: str) -> str:
    """`hint` for a handle: `; did you mean 'mia.rossi'?`, or a full stop."""
    found = closest_handle(db, handle)
    return f"; did you mean {found!r}?" if found else "."
