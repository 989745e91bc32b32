"""Finding influencers with the query syntax: matches counted and paged in SQL, never in Python."""

from __future__ import annotations

from datetime import datetime

from store import segments
from store.database import Database
from store.errors import UserError
from store.influencers import decode
from store.query.parser import Query

# Sort orders; ties are broken by id so pages never overlap.
SORTS = {
    "handle": "i.handle",
    "name": "i.name COLLATE NOCASE",
    "followers": "i.followers DESC",
    "engagement": "i.engagement_rate DESC",
    "newest": "i.created_at DESC",
}
COLUMNS = ("i.id, i.handle, i.name, i.first_name, i.email, i.followers, i.engagement_rate, i.country, "
           "i.language, i.tags, i.platforms")


def count(db: Database, query: Query, now: datetime) -> int:
    """How many influencers match `query` at `now`."""
    where, params = segments.where(db, query, now)
    return db.execute(f"SELECT count(*) FROM influencers i WHERE {where}", params).fetchone()[0]


def find(db: Database, query: Query, now: datetime, *, limit: int = 50, offset: int = 0,
         sort: str = "handle") -> list[dict]:
    """One page of the influencers matching `query`, in `sort` order."""
    if sort not in SORTS:
        raise UserError(f"Unknown sort {sort!r}; choose one of {', '.join(SORTS)}.")
    if limit < 0 or offset < 0:
        raise UserError("The limit and offset cannot be negative.")
    where, params = segments.where(db, query, now)
    rows = db.query(
        f"SELECT {COLUMNS} FROM influencers i WHERE {where} ORDER BY {SORTS[sort]}, i.id "
        f"LIMIT ? OFFSET ?",
        [*params, limit if limit else -1, offset],
    )
    return [decode(row) for row in rows]
