"""Reading influencers: by handle, by id, decoded from their JSON columns."""

from __future__ import annotations

import json

from sqlite_utils import Database

from store.errors import NotFound

JSON_COLUMNS = {"platforms": "[]", "tags": "[]", "custom": "{}"}


def decode(row: dict) -> dict:
    """Turn a raw `influencers` row into plain Python values."""
    decoded = dict(row)
    for column, empty in JSON_COLUMNS.items():
        if column in decoded:
            decoded[column] = json.loads(decoded[column] or empty)
    return decoded


def get_by_handle(db: Database, handle: str) -> dict:
    rows = list(db.query("SELECT * FROM influencers WHERE handle = ?", [handle.strip().lstrip("@")]))
    if not rows:
        raise NotFound(f"There is no influencer with the handle {handle!r}.")
    return decode(rows[0])


def get(db: Database, influencer_id: int) -> dict:
    rows = list(db.query("SELECT * FROM influencers WHERE id = ?", [influencer_id]))
    if not rows:
        raise NotFound(f"There is no influencer #{influencer_id}.")
    return decode(rows[0])


def by_handles(db: Database, handles: list[str]) -> list[dict]:
    """Every named influencer, in order; one sentence naming all unknown handles otherwise."""
    found = {}
    for handle in handles:
        clean = handle.strip().lstrip("@")
        rows = list(db.query("SELECT * FROM influencers WHERE handle = ?", [clean]))
        found[handle] = decode(rows[0]) if rows else None
    missing = [h for h, row in found.items() if row is None]
    if missing:
        raise NotFound(f"Unknown handle{'s' if len(missing) > 1 else ''}: {', '.join(missing)}.")
    return list(found.values())
