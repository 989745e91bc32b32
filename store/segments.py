"""Segments: saved filters over influencers, written in the query syntax."""

from __future__ import annotations

from datetime import datetime

from store import audit, suggest
from store.database import Database
from store.errors import NotFound, UserError
from store.query.expand import SegmentLookup, expand, segment_names
from store.query.parser import Query, parse_query
from store.query.tokens import quote

MAX_NAME = 80


def check_name(name: str) -> str:
    """The segment name, trimmed, or one sentence saying what is wrong with it."""
    clean = name.strip()
    if not clean:
        raise UserError("A segment needs a name.")
    if any(not ch.isprintable() for ch in clean):
        raise UserError("A segment name must be a single line of printable text.")
    if len(clean) > MAX_NAME:
        raise UserError(f"A segment name can have at most {MAX_NAME} characters (got {len(clean)}).")
    return clean


def check_query(text: str) -> Query:
    """The parsed query of a segment; an empty one is refused (it would match everyone)."""
    query = parse_query(text.strip())
    if query.is_empty:
        raise UserError("A segment needs a query, such as tag:beauty followers>=10k.")
    return query


def lookup(db: Database) -> SegmentLookup:
    """How a query reads `segment:NAME` from this database: the saved name and its query text."""

    def read(name: str) -> tuple[str, str]:
        row = db.execute("SELECT name, query FROM segments WHERE name = ?", [name.strip()]).fetchone()
        if row is None:
            raise NotFound(f"There is no segment named {name.strip()!r}; "
                           f"`callsheet segment list` shows them.")
        return row[0], row[1]

    return read


def resolve(db: Database, query: Query) -> Query:
    """`query` with the segments it names read in as they are now."""
    return expand(query, lookup(db))


def where(db: Database, query: Query | str, now: datetime, campaign_id: int | None = None
          ) -> tuple[str, list]:
    """The SQL condition on `influencers i` of a query (or its text), its segments read in."""
    parsed = parse_query(query) if isinstance(query, str) else query
    sql, params = resolve(db, parsed).to_sql(now, campaign_id=campaign_id)
    return sql, list(params)


def _check_nesting(db: Database, name: str, query_text: str) -> None:
    """Refuse a segment that would include itself or name a segment that does not exist."""
    read = lookup(db)

    def with_new(written: str) -> tuple[str, str]:
        return (name, query_text) if written.strip().casefold() == name.casefold() else read(written)

    expand(parse_query(f"segment:{quote(name)}"), with_new)


def save(db: Database, name: str, text: str, *, actor: str, now: str, replace: bool = False) -> dict:
    """Check and store a segment; call inside a write transaction."""
    clean, query_text = check_name(name), text.strip()
    check_query(query_text)
    existing = db.execute("SELECT id, name FROM segments WHERE name = ?", [clean]).fetchone()
    if existing and not replace:
        raise UserError(f"A segment named {existing[1]!r} already exists; use --replace to change it.")
    _check_nesting(db, existing[1] if existing else clean, query_text)
    if existing:
        db.conn.execute("UPDATE segments SET query = ? WHERE id = ?", [query_text, existing[0]])
        segment_id = existing[0]
    else:
        cursor = db.conn.execute("INSERT INTO segments (name, query, created_at) VALUES (?, ?, ?)",
                                 [clean, query_text, now])
        segment_id = cursor.lastrowid
    audit.record(db, at=now, actor=actor, action="segment.replace" if existing else "segment.save",
                 entity="segment", entity_id=segment_id, name=clean, query=query_text)
    return get(db, clean)


def get(db: Database, name: str) -> dict:
    rows = list(db.query("SELECT * FROM segments WHERE name = ?", [name.strip()]))
    if rows:
        return rows[0]
    names = [row["name"] for row in db.query("SELECT name FROM segments")]
    raise NotFound(f"There is no segment named {name.strip()!r}{suggest.hint(name, names)}")


def listing(db: Database) -> list[dict]:
    """Every segment, by name."""
    return list(db.query("SELECT * FROM segments ORDER BY name COLLATE NOCASE"))


def delete(db: Database, name: str, *, actor: str, now: str) -> dict:
    """Remove a segment; call inside a write transaction."""
    segment = get(db, name)
    _refuse_if_used(db, segment["name"])
    db.conn.execute("DELETE FROM segments WHERE id = ?", [segment["id"]])
    audit.record(db, at=now, actor=actor, action="segment.delete", entity="segment",
                 entity_id=segment["id"], name=segment["name"], query=segment["query"])
    return segment


def _refuse_if_used(db: Database, name: str) -> None:
    """A segment that another segment or a campaign names stays, or they would stop working."""
    users = [f"segment {row['name']!r}" for row in db.query("SELECT name, query FROM segments")
             if _names(row["query"], name)]
    users += [f"campaign {row['name']!r}" for row in db.query("SELECT name, segment FROM campaigns")
              if row["segment"] and _names(row["segment"], name)]
    if users:
        them = "them" if len(users) > 1 else "it"
        raise UserError(f"The segment {name!r} is used by {', '.join(users)}; change {them} first.")


def _names(text: str, name: str) -> bool:
    """Whether the query `text` names the segment `name` (any case, as the names compare)."""
    try:
        return name.casefold() in {n.casefold() for n in segment_names(parse_query(text).root)}
    except UserError:
        return False
