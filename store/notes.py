"""Notes on an influencer: free text by an operator, shown in the side panel and timeline."""

from __future__ import annotations

from store.database import Database
from store.errors import NotFound, UserError
from store.rowids import inserted_id

MAX_NOTE_CHARS = 10_000


def _clean(body: str) -> str:
    text = body.strip()
    if not text:
        raise UserError("A note cannot be empty.")
    if len(text) > MAX_NOTE_CHARS:
        raise UserError(f"A note is limited to {MAX_NOTE_CHARS} characters (got {len(text)}).")
    return text


def add(db: Database, influencer_id: int, body: str, *, author: str, now: str) -> int:
    cursor = db.conn.execute(
        "INSERT INTO notes (influencer_id, author, body, created_at) VALUES (?, ?, ?, ?)",
        (influencer_id, author, _clean(body), now),
    )
    return inserted_id(cursor)


def edit(db: Database, note_id: int, body: str) -> None:
    cursor = db.conn.execute("UPDATE notes SET body = ? WHERE id = ?", (_clean(body), note_id))
    if cursor.rowcount == 0:
        raise NotFound(f"There is no note #{note_id}.")


def delete(db: Database, note_id: int) -> None:
    cursor = db.conn.execute("DELETE FROM notes WHERE id = ?", (note_id,))
    if cursor.rowcount == 0:
        raise NotFound(f"There is no note #{note_id}.")


def for_influencer(db: Database, influencer_id: int) -> list[dict]:
    return list(db.query(
        "SELECT id, author, body, created_at FROM notes WHERE influencer_id = ? ORDER BY created_at, id",
        [influencer_id],
    ))
