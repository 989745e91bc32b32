"""The Pipeline pane's read model: one campaign's applications, filtered, sorted and paged in SQL.

Pages use keyset pagination on (sort key, application id), so page 400 costs what
page 1 costs and the UI never holds more than one page of rows.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlite_utils import Database

from store import stages
from store.clock import iso
from store.errors import UserError

LAST_MESSAGE = ("(SELECT max(m.created_at) FROM messages m WHERE m.influencer_id = a.influencer_id "
                "AND m.campaign_id = a.campaign_id)")
# Sort keys never NULL, so keyset comparisons stay total.
SORTS = {
    "updated": "a.updated_at",
    "name": "lower(coalesce(nullif(i.name, ''), i.handle))",
    "handle": "lower(i.handle)",
    "stage": "a.stage",
    "source": "a.source",
    "followers": "coalesce(i.followers, -1)",
    "engagement": "coalesce(i.engagement_rate, -1)",
    "fee": "coalesce(a.fee, -1)",
    "last_message": f"coalesce({LAST_MESSAGE}, '')",
}
SOURCES = ("invited", "applied")
SHOWN_BY_DEFAULT = tuple(s for s in stages.STAGES if s != stages.INELIGIBLE)


@dataclass(frozen=True)
class View:
    """What the table shows: which campaign, which stages and source, what search, which order."""

    campaign_id: int
    stages: tuple[str, ...] = SHOWN_BY_DEFAULT
    source: str | None = None
    search: str = ""
    sort: str = "updated"
    descending: bool = True

    def sorted_by(self, column: str) -> View:
        """The same view sorted by `column`; choosing the current column flips the order."""
        if column not in SORTS:
            raise UserError(f"Cannot sort by {column!r}.")
        if column == self.sort:
            return replace(self, descending=not self.descending)
        return replace(self, sort=column, descending=column in ("updated", "followers", "engagement", "fee",
                                                                 "last_message"))


def _search(text: str, now: datetime, campaign_id: int) -> tuple[str, list]:
    """The search bar's condition on `influencers i`; a `stage:` naming no campaign means this one."""
    from store.query import parser

    return parser.parse_query(text).to_sql(now, campaign_id=campaign_id)


def _where(view: View, now: datetime) -> tuple[str, list]:
    clauses: list[str] = ["a.campaign_id = ?"]
    params: list[object] = [view.campaign_id]
    if view.stages and set(view.stages) != set(stages.STAGES):
        clauses.append(f"a.stage IN ({', '.join('?' for _ in view.stages)})")
        params += list(view.stages)
    if view.source:
        clauses.append("a.source = ?")
        params.append(view.source)
    if view.search.strip():
        sql, extra = _search(view.search, now, view.campaign_id)
        clauses.append(f"({sql})")
        params += extra
    return " AND ".join(clauses), params


SELECT = f"""SELECT a.id AS application_id, a.influencer_id, i.handle, i.name, a.stage, a.source,
    i.followers, i.engagement_rate, a.fee, {LAST_MESSAGE} AS last_message, a.updated_at,
    {{key}} AS sort_key
    FROM applications a JOIN influencers i ON i.id = a.influencer_id"""


def page(db: Database, view: View, now: datetime, *, after: tuple | None = None,
         before: tuple | None = None, last: bool = False, limit: int = 100) -> list[dict]:
    """One page of rows: the first, the one after/before a (sort key, id) bound, or the last."""
    where, params = _where(view, now)
    key = SORTS[view.sort]
    forward = not (before is not None or last)
    ascending = forward != view.descending
    bound = after if after is not None else before
    if bound is not None:
        where += f" AND ({key}, a.id) {'>' if ascending else '<'} (?, ?)"
        params += list(bound)
    order = "ASC" if ascending else "DESC"
    rows = list(db.query(f"{SELECT.format(key=key)} WHERE {where} ORDER BY {key} {order}, a.id {order} "
                         "LIMIT ?", [*params, limit]))
    return rows if forward else rows[::-1]


def bound_of(row: dict) -> tuple:
    """The keyset bound a row stands for."""
    return (row["sort_key"], row["application_id"])


def _source(view: View) -> str:
    """Join influencers only when the search needs them: a bare count stays inside one index."""
    if view.search.strip():
        return "applications a JOIN influencers i ON i.id = a.influencer_id"
    return "applications a"


def count(db: Database, view: View, now: datetime) -> int:
    where, params = _where(view, now)
    return db.execute(f"SELECT count(*) FROM {_source(view)} WHERE {where}", params).fetchone()[0]


def per_day(db: Database, campaign_id: int, now: datetime, days: int = 30) -> list[int]:
    """Applications created per day over the last `days` days (UTC), oldest first."""
    start = (now - timedelta(days=days - 1)).date()
    counts = dict(db.execute(
        """SELECT substr(created_at, 1, 10), count(*) FROM applications
           WHERE campaign_id = ? AND created_at >= ? GROUP BY 1""",
        (campaign_id, iso(datetime.combine(start, datetime.min.time(), now.tzinfo)))).fetchall())
    return [counts.get((start + timedelta(days=n)).isoformat(), 0) for n in range(days)]


def profile(db: Database, application_id: int) -> dict:
    """Everything the side panel shows about one application and its influencer."""
    rows = list(db.query(
        """SELECT a.*, i.handle, i.name, i.first_name, i.email, i.followers, i.engagement_rate,
                  i.country, i.language, i.tags, i.platforms, i.address, i.unsubscribed, i.bounced,
                  (SELECT count(*) FROM notes n WHERE n.influencer_id = i.id) AS notes,
                  (SELECT count(*) FROM messages m WHERE m.influencer_id = i.id
                     AND m.campaign_id = a.campaign_id) AS messages
           FROM applications a JOIN influencers i ON i.id = a.influencer_id WHERE a.id = ?""",
        [application_id]))
    if not rows:
        raise UserError(f"There is no application #{application_id}.")
    return rows[0]


def position(db: Database, view: View, now: datetime, bound: tuple) -> int:
    """How many rows come before `bound` in the view's order (for "rows 101–200 of N")."""
    where, params = _where(view, now)
    key = SORTS[view.sort]
    operator = ">" if view.descending else "<"
    joined = "applications a JOIN influencers i ON i.id = a.influencer_id"
    source = _source(view) if key.startswith("a.") else joined
    return db.execute(f"SELECT count(*) FROM {source} WHERE {where} AND ({key}, a.id) {operator} (?, ?)",
                      [*params, *bound]).fetchone()[0]


def campaign_choices(db: Database) -> list[tuple[str, int]]:
    """(name, id) of every campaign, open ones first, newest first."""
    return [(row[0], row[1]) for row in db.execute(
        "SELECT name, id FROM campaigns ORDER BY status = 'closed', created_at DESC, id DESC").fetchall()]


def addresses_in_campaign(db: Database, campaign_id: int) -> list[dict]:
    """Name, handle, postal address and email of everyone in the campaign, by name."""
    return list(db.query(
        """SELECT i.name, i.handle, i.address, i.email FROM applications a
           JOIN influencers i ON i.id = a.influencer_id
           WHERE a.campaign_id = ? AND a.stage = ? ORDER BY lower(i.name), i.handle""",
        [campaign_id, stages.IN_CAMPAIGN]))
