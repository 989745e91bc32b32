"""The inbox list: influencers with messages, unread first then latest, a page at a time.

Read from the `conversations` summary rows (one per influencer, and one per
influencer and campaign) that triggers keep current on every write; full-text
search narrows them through the FTS5 index, newest matching messages first.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Self

from store.clock import from_iso
from store.database import Database
from store.errors import UserError
from store.query.expand import SegmentLookup, expand
from store.query.parser import And, Term, parse_query

PAGE = 50
# A common word can match a fifth of all messages: search the newest matches only,
# unranked (bm25 over 200k hits took 2.2 s here; newest-first with a limit 0.06 ms).
# Each match costs a lookup of its message row, hence a modest cap.
SEARCH_MATCHES = 1000
_WORD = re.compile(r'"[^"]*"|\S+')


@dataclass(frozen=True)
class InboxFilter:
    """What narrows the list: a campaign, bookmarks, unread, full text, the query syntax."""

    campaign_id: int | None = None
    bookmarked: bool = False
    unread_only: bool = False
    text: str = ""
    query: str = ""


@dataclass(frozen=True)
class Cursor:
    """Where the previous page ended (keyset pagination, no OFFSET)."""

    has_unread: int
    last_at: str
    influencer_id: int


@dataclass(frozen=True, slots=True)
class ConversationRow:
    """One conversation of the list: the influencer, its counts and its latest message."""

    influencer_id: int
    handle: str
    name: str
    email: str | None
    bookmarked: bool
    bounced: bool
    unread: int
    total: int
    has_unread: int
    last_at: str
    last_message_id: int
    last_subject: str
    last_direction: str
    last_kind: str
    last_status: str | None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Self:
        """From a row of `page_sql`'s query."""
        return cls(
            influencer_id=row["influencer_id"], handle=row["handle"], name=row["name"], email=row["email"],
            bookmarked=bool(row["bookmarked"]), bounced=bool(row["bounced"]), unread=row["unread"],
            total=row["total"], has_unread=row["has_unread"], last_at=row["last_at"],
            last_message_id=row["last_message_id"], last_subject=row["last_subject"],
            last_direction=row["last_direction"], last_kind=row["last_kind"], last_status=row["last_status"])


@dataclass(frozen=True, slots=True)
class ConversationSummary:
    """The summary row of one conversation, in one campaign or all (campaign 0)."""

    influencer_id: int
    campaign_id: int
    last_at: str
    last_message_id: int
    unread: int
    total: int
    has_unread: int

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Self:
        return cls(influencer_id=row["influencer_id"], campaign_id=row["campaign_id"], last_at=row["last_at"],
                   last_message_id=row["last_message_id"], unread=row["unread"], total=row["total"],
                   has_unread=row["has_unread"])


def split_search(text: str) -> tuple[str, str]:
    """(full-text words, query-syntax filter) of what was typed in the inbox search bar.

    The text is read with the query syntax; its top-level bare words and "phrases" search
    the messages (instead of names), everything else filters the influencers.
    """
    root = parse_query(text).root
    items = root.items if isinstance(root, And) else (root,)
    words = [item for item in items if isinstance(item, Term) and item.family == "word"]
    rest = [item for item in items if item not in words]
    return " ".join(str(word) for word in words), str(And(tuple(rest))) if rest else ""


def fts_expression(text: str) -> str | None:
    """An FTS5 MATCH expression: every word or "phrase" required, `word*` as a prefix.

    Prefixes are only what the user asks for: an implicit one on the last word made a
    common word 7x slower (FTS5 merges the doclists of every term it could start).
    """
    parts = []
    for token in _WORD.findall(text):
        words = " ".join(re.findall(r"\w+", token))
        if words:
            prefix = token.endswith("*") and not token.startswith('"')
            parts.append(f'"{words}"' + ("*" if prefix else ""))
    return " ".join(parts) or None


def _query_sql(query: str, now: str, segments: SegmentLookup | None) -> tuple[str, list]:
    parsed = parse_query(query)
    where, params = (expand(parsed, segments) if segments else parsed).to_sql(from_iso(now))
    return f"({where})", list(params)


def _where(flt: InboxFilter, now: str, after: Cursor | None, segments: SegmentLookup | None
           ) -> tuple[list[str], list]:
    clauses: list[str] = ["c.campaign_id = ?"]
    params: list[object] = [flt.campaign_id or 0]
    if after is not None:
        clauses.append("(c.has_unread, c.last_at, c.influencer_id) < (?, ?, ?)")
        params += [after.has_unread, after.last_at, after.influencer_id]
    if flt.unread_only:
        clauses.append("c.has_unread = 1")
    if flt.bookmarked:
        # Few are bookmarked: start from them (partial index) rather than scan the list.
        clauses.append("c.influencer_id IN (SELECT id FROM influencers WHERE bookmarked = 1)")
    expression = fts_expression(flt.text)
    if flt.text.strip() and expression is None:
        raise UserError("Search for at least one word or number.")
    if expression:
        clauses.append(
            # messages_owner: the narrow (id, influencer_id) index, 3x faster than the wide rows.
            """c.influencer_id IN (SELECT m.influencer_id FROM messages_fts f
                 JOIN messages m INDEXED BY messages_owner ON m.id = f.rowid
                 WHERE messages_fts MATCH ? ORDER BY f.rowid DESC LIMIT ?)"""
        )
        params += [expression, SEARCH_MATCHES]
    if flt.query.strip():
        sql, query_params = _query_sql(flt.query, now, segments)
        clauses.append(sql)
        params += query_params
    return clauses, params


def page(
    db: Database, flt: InboxFilter = InboxFilter(), *, now: str, after: Cursor | None = None,
    limit: int = PAGE,
) -> list[ConversationRow]:
    """One page of conversations, unread first, then by their latest message.

    The latest message is joined after the page is cut: a search can weigh a thousand
    candidates, and reading each one's message row first cost more than the search.
    """
    from store.segments import lookup

    sql, params = page_sql(flt, now=now, after=after, limit=limit, segments=lookup(db))
    return [ConversationRow.from_row(row) for row in db.query(sql, params)]


def page_sql(flt: InboxFilter, *, now: str, after: Cursor | None = None, limit: int = PAGE,
             segments: SegmentLookup | None = None) -> tuple[str, list]:
    """The SQL and parameters of `page` (the benchmark prints its query plan); `segments` reads
    the `segment:NAME` terms of the filter."""
    clauses, params = _where(flt, now, after, segments)
    return (
        f"""SELECT p.*, m.subject AS last_subject, m.direction AS last_direction, m.kind AS last_kind,
                   m.status AS last_status
            FROM (SELECT c.influencer_id, i.handle, i.name, i.email, i.bookmarked, i.bounced, c.unread,
                         c.total, c.has_unread, c.last_at, c.last_message_id
                  FROM conversations c JOIN influencers i ON i.id = c.influencer_id
                  WHERE {' AND '.join(clauses)}
                  ORDER BY c.has_unread DESC, c.last_at DESC, c.influencer_id DESC
                  LIMIT ?) AS p
            JOIN messages m ON m.id = p.last_message_id
            ORDER BY p.has_unread DESC, p.last_at DESC, p.influencer_id DESC""",
        [*params, limit],
    )


def cursor_after(row: ConversationRow) -> Cursor:
    return Cursor(row.has_unread, row.last_at, row.influencer_id)


def summary(db: Database, influencer_id: int, campaign_id: int | None = None) -> ConversationSummary | None:
    rows = list(db.query(
        "SELECT * FROM conversations WHERE influencer_id = ? AND campaign_id = ?",
        [influencer_id, campaign_id or 0],
    ))
    return ConversationSummary.from_row(rows[0]) if rows else None


def counts(db: Database, campaign_id: int | None = None) -> tuple[int, int]:
    """(conversations, conversations with unread mail) in one campaign or all: one row that
    triggers keep (`conversation_counts`), not a count of the summaries."""
    row = db.execute("SELECT total, unread FROM conversation_counts WHERE campaign_id = ?",
                     (campaign_id or 0,)).fetchone()
    return (int(row[0]), int(row[1])) if row else (0, 0)
