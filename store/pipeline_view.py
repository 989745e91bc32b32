"""The Pipeline pane's read model: one campaign's applications, filtered, sorted and paged in SQL.

Pages use keyset pagination on (sort key, application id), so page 400 costs what
page 1 costs and the UI never holds more than one page of rows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Self

from store import stages
from store.database import Database
from store.errors import UserError

# Sort keys never NULL, so keyset comparisons stay total. Each is a column of the application
# (copies of the influencer's values and the latest message's time, kept by the triggers of
# store/pipeline_upkeep.py) that an index `(campaign_id, key, id, …)` serves in order.
SORTS = {
    "updated": "a.updated_at",
    "name": "a.sort_name",
    "handle": "a.sort_handle",
    "stage": "a.stage",
    "source": "a.source",
    "followers": "a.sort_followers",
    "engagement": "a.sort_engagement",
    "fee": "coalesce(a.fee, -1)",
    "last_message": "a.last_message_at",
}
SOURCES = ("invited", "applied")
SHOWN_BY_DEFAULT = tuple(s for s in stages.STAGES if s != stages.INELIGIBLE)
# Columns first shown largest or newest first; the others A to Z.
DESCENDING_FIRST = frozenset({"updated", "followers", "engagement", "fee", "last_message"})


@dataclass(frozen=True)
class View:
    """What the table shows: which campaign, which stages and source, what search, which order."""

    campaign_id: int
    stages: tuple[str, ...] = SHOWN_BY_DEFAULT
    source: str | None = None
    search: str = ""
    sort: str = "updated"
    descending: bool = True

    def filters(self) -> tuple:
        """What decides which rows the view holds (not their order): equal filters, equal counts."""
        return (self.campaign_id, self.stages, self.source, self.search.strip())

    def sorted_by(self, column: str) -> View:
        """The same view sorted by `column`; choosing the current column flips the order."""
        if column not in SORTS:
            raise UserError(f"Cannot sort by {column!r}.")
        if column == self.sort:
            return replace(self, descending=not self.descending)
        return replace(self, sort=column, descending=column in DESCENDING_FIRST)


def _search(db: Database, text: str, now: datetime, campaign_id: int) -> tuple[str, list]:
    """The search bar's condition on `influencers i`; a `stage:` naming no campaign means this one."""
    from store import segments

    return segments.where(db, text, now, campaign_id)


def _where(db: Database, view: View, now: datetime) -> tuple[str, list]:
    clauses: list[str] = ["a.campaign_id = ?"]
    params: list[object] = [view.campaign_id]
    if view.stages and set(view.stages) != set(stages.STAGES):
        clauses.append(f"a.stage IN ({', '.join('?' for _ in view.stages)})")
        params += list(view.stages)
    if view.source:
        clauses.append("a.source = ?")
        params.append(view.source)
    if view.search.strip():
        sql, extra = _search(db, view.search, now, view.campaign_id)
        clauses.append(f"({sql})")
        params += extra
    return " AND ".join(clauses), params


@dataclass(frozen=True, slots=True)
class ApplicationRow:
    """One line of the table: an application, its influencer, and the key it is paged by."""

    application_id: int
    influencer_id: int
    handle: str
    name: str
    stage: str
    source: str
    followers: int | None
    engagement_rate: float | None
    fee: float | None
    last_message: str | None
    updated_at: str
    sort_key: str | int | float
    flag: str | None = None  # left for the operator by the casting-call page (store/casting.py)

    @classmethod
    def from_row(cls, row: dict) -> Self:
        return cls(application_id=row["application_id"], influencer_id=row["influencer_id"],
                   handle=row["handle"], name=row["name"] or "", stage=row["stage"], source=row["source"],
                   followers=row["followers"], engagement_rate=row["engagement_rate"], fee=row["fee"],
                   last_message=row["last_message"], updated_at=row["updated_at"], sort_key=row["sort_key"],
                   flag=row.get("flag"))


SELECT = """SELECT a.id AS application_id, a.influencer_id, i.handle, i.name, a.stage, a.source,
    i.followers, i.engagement_rate, a.fee, nullif(a.last_message_at, '') AS last_message, a.updated_at,
    {key} AS sort_key, a.flag
    FROM applications a JOIN influencers i ON i.id = a.influencer_id"""


def page(db: Database, view: View, now: datetime, *, after: tuple | None = None,
         before: tuple | None = None, last: bool = False, limit: int = 100) -> list[ApplicationRow]:
    """One page of rows: the first, the one after/before a (sort key, id) bound, or the last."""
    where, params = _where(db, view, now)
    key = SORTS[view.sort]
    forward = not (before is not None or last)
    ascending = forward != view.descending
    bound = after if after is not None else before
    if bound is not None:
        where += f" AND ({key}, a.id) {'>' if ascending else '<'} (?, ?)"
        params += list(bound)
    order = "ASC" if ascending else "DESC"
    sql = f"{SELECT.format(key=key)} WHERE {where} ORDER BY {key} {order}, a.id {order} LIMIT ?"
    rows = [ApplicationRow.from_row(row) for row in db.query(sql, [*params, limit])]
    return rows if forward else rows[::-1]


def bound_of(row: ApplicationRow) -> tuple:
    """The keyset bound a row stands for."""
    return (row.sort_key, row.application_id)


def _source(view: View) -> str:
    """Join influencers only when the search needs them: a bare count stays inside one index."""
    if view.search.strip():
        return "applications a JOIN influencers i ON i.id = a.influencer_id"
    return "applications a"


def count(db: Database, view: View, now: datetime) -> int:
    """How many rows the view has: from the tallies the triggers keep, unless a search must be read."""
    if view.search.strip():
        where, params = _where(db, view, now)
        return db.execute(f"SELECT count(*) FROM {_source(view)} WHERE {where}", params).fetchone()[0]
    return slice_size(db, view)


def slice_size(db: Database, view: View) -> int:
    """How many applications the view's campaign, stages and source hold, the search aside (tally rows)."""
    clauses: list[str] = ["campaign_id = ?"]
    params: list[object] = [view.campaign_id]
    if view.stages and set(view.stages) != set(stages.STAGES):
        clauses.append(f"stage IN ({', '.join('?' for _ in view.stages)})")
        params += list(view.stages)
    if view.source:
        clauses.append("source = ?")
        params.append(view.source)
    return db.execute(f"SELECT coalesce(sum(applications), 0) FROM application_tallies "
                      f"WHERE {' AND '.join(clauses)}", params).fetchone()[0]


class Totals:
    """Counts of views by what filters them (campaign, stages, source, search; not the order), each kept
    while the database's version is the one it was counted at: a new search is counted once, and again
    only after someone committed a change."""

    def __init__(self, limit: int = 64) -> None:
        self._counted: dict[tuple, tuple[int, int]] = {}
        self._limit = limit

    @staticmethod
    def _key(view: View, now: datetime) -> tuple:
        # A search may be relative to now (`contacted<7d`): a count holds for the minute it was made in.
        return (*view.filters(), now.replace(second=0, microsecond=0))

    def known(self, view: View, now: datetime, version: int) -> int | None:
        """The count of `view` if it was made at `version`, else None."""
        found = self._counted.get(self._key(view, now))
        return found[1] if found is not None and found[0] == version else None

    def count(self, db: Database, view: View, now: datetime, version: int) -> int:
        """The count of `view`, read from SQLite only when it is not known at `version`."""
        total = self.known(view, now, version)
        if total is None:
            total = count(db, view, now)
            if len(self._counted) >= self._limit:
                self._counted.clear()
            self._counted[self._key(view, now)] = (version, total)
        return total


def per_day(db: Database, campaign_id: int, now: datetime, days: int = 30) -> list[int]:
    """Applications created per day over the last `days` days (UTC), oldest first.

    Read from `application_days` (store/pipeline_upkeep.py): one row per campaign and day, kept by triggers.
    """
    start = (now - timedelta(days=days - 1)).date()
    counts = dict(db.execute(
        "SELECT day, applications FROM application_days WHERE campaign_id = ? AND day >= ?",
        (campaign_id, start.isoformat())).fetchall())
    return [counts.get((start + timedelta(days=n)).isoformat(), 0) for n in range(days)]


@dataclass(frozen=True, slots=True)
class Profile:
    """What the side panel shows: one application, its influencer, and how many messages and notes."""

    application_id: int
    influencer_id: int
    campaign_id: int
    source: str
    stage: str
    fee: float | None
    agreement_state: str | None
    agreement_deadline: str | None
    decided_by: str | None
    created_at: str
    updated_at: str
    handle: str
    name: str
    first_name: str
    email: str | None
    followers: int | None
    engagement_rate: float | None
    country: str | None
    language: str | None
    tags: tuple[str, ...]
    platforms: tuple[str, ...]
    address: str | None
    unsubscribed: bool
    bounced: bool
    notes: int
    messages: int

    @classmethod
    def from_row(cls, row: dict) -> Self:
        """From `PROFILE`'s row: tags and platforms decoded from JSON, flags as booleans."""
        return cls(**{**row, "name": row["name"] or "", "first_name": row["first_name"] or "",
                      "tags": tuple(json.loads(row["tags"] or "[]")),
                      "platforms": tuple(json.loads(row["platforms"] or "[]")),
                      "unsubscribed": bool(row["unsubscribed"]), "bounced": bool(row["bounced"])})


PROFILE = """SELECT a.id AS application_id, a.influencer_id, a.campaign_id, a.source, a.stage, a.fee,
          a.agreement_state, a.agreement_deadline, a.decided_by, a.created_at, a.updated_at,
          i.handle, i.name, i.first_name, i.email, i.followers, i.engagement_rate,
          i.country, i.language, i.tags, i.platforms, i.address, i.unsubscribed, i.bounced,
          (SELECT count(*) FROM notes n WHERE n.influencer_id = i.id) AS notes,
          (SELECT count(*) FROM messages m WHERE m.influencer_id = i.id
             AND m.campaign_id = a.campaign_id) AS messages
   FROM applications a JOIN influencers i ON i.id = a.influencer_id WHERE a.id = ?"""


def profile(db: Database, application_id: int) -> Profile:
    """Everything the side panel shows about one application and its influencer."""
    rows = list(db.query(PROFILE, [application_id]))
    if not rows:
        raise UserError(f"There is no application #{application_id}.")
    return Profile.from_row(rows[0])


def position(db: Database, view: View, now: datetime, bound: tuple) -> int:
    """How many rows come before `bound` in the view's order (for "rows 101–200 of N")."""
    where, params = _where(db, view, now)
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
