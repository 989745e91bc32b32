"""Reading influencers: by handle (matched by its key: store/handles.py), by id, decoded from JSON."""

from __future__ import annotations

import json

from store.database import Database
from store.errors import NotFound
from store.handles import handle_key
from store.suggest import closest_handle, handle_hint

JSON_COLUMNS = {"platforms": "[]", "tags": "[]", "custom": "{}"}


def decode(row: dict) -> dict:
    """Turn a raw `influencers` row into plain Python values."""
    decoded = dict(row)
    for column, empty in JSON_COLUMNS.items():
        if column in decoded:
            decoded[column] = json.loads(decoded[column] or empty)
    return decoded


def find_by_handle(db: Database, handle: str) -> dict | None:
    """The influencer whose handle matches `handle` whatever its case, width or composition."""
    rows = list(db.query("SELECT * FROM influencers WHERE handle_key = ?", [handle_key(handle)]))
    return decode(rows[0]) if rows else None


def get_by_handle(db: Database, handle: str) -> dict:
    found = find_by_handle(db, handle)
    if found is None:
        raise NotFound(f"There is no influencer with the handle {handle!r}{handle_hint(db, handle)}")
    return found


def _with_guess(db: Database, handle: str) -> str:
    close = closest_handle(db, handle)
    return f"{handle!r} (did you mean {close!r}?)" if close else repr(handle)


def get(db: Database, influencer_id: int) -> dict:
    rows = list(db.query("SELECT * FROM influencers WHERE id = ?", [influencer_id]))
    if not rows:
        raise NotFound(f"There is no influencer #{influencer_id}.")
    return decode(rows[0])


def by_handles(db: Database, handles: list[str]) -> list[dict]:
    """Every named influencer, in order; one sentence naming all unknown handles otherwise."""
    found: dict[str, dict | None] = {}
    for handle in handles:
        found[handle] = find_by_handle(db, handle)
    missing = [h for h, row in found.items() if row is None]
    if missing:
        if len(missing) == 1:  # worded as every other command names an unknown handle
            handle = missing[0]
            raise NotFound(f"There is no influencer with the handle {handle!r}{handle_hint(db, handle)}")
        named = ", ".join(_with_guess(db, handle) for handle in missing)
        raise NotFound(f"There are no influencers with the handles {named}.")
    return [row for row in found.values() if row is not None]
