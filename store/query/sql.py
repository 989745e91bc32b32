"""One `Term` as a SQL condition on `influencers i`, every user value bound as a parameter.

Conditions on other tables are subqueries on indexed columns: `i.id IN (…)` for applications
(the list is built once) and correlated `EXISTS` for messages, answered from the covering index
`messages_influencer_contact (influencer_id, direction, status, sent_at)`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from store.clock import iso
from store.handles import handle_key
from store.query.terms import Term
from store.query.tokens import QueryError

Sql = tuple[str, list]

TEXT_COLUMNS = {"handle": "i.handle", "name": "i.name", "email": "i.email"}
LIST_COLUMNS = {"tag": "i.tags", "platform": "i.platforms"}
CODE_COLUMNS = {"country": "i.country", "language": "i.language"}
NUMBER_COLUMNS = {"followers": "i.followers", "engagement": "i.engagement_rate"}
WORD_COLUMNS = ("i.handle", "i.name", "i.first_name", "i.email")
FLAGS = {
    "bookmarked": "i.bookmarked = 1",
    "unsubscribed": "i.unsubscribed = 1",
    "bounced": "i.bounced = 1",
    "suppressed": "(i.unsubscribed = 1 OR i.bounced = 1)",
    "invited": "i.id IN (SELECT a.influencer_id FROM applications a WHERE a.source = 'invited')",
}
# The partial indexes hold only replies (auto-replies are not); without statistics SQLite would
# pick a wider one.
REPLIED = ("EXISTS (SELECT 1 FROM messages m INDEXED BY messages_replies "
           "WHERE m.influencer_id = i.id AND m.direction = 'in' AND m.kind = 'reply')")
REPLIED_WITH = ("EXISTS (SELECT 1 FROM messages m INDEXED BY messages_reply_signals "
                "WHERE m.influencer_id = i.id AND m.direction = 'in' AND m.kind = 'reply' AND {signal})")
HAS = {
    "email": "coalesce(i.email, '') <> ''",
    "address": "coalesce(i.address, '') <> ''",
    "notes": "EXISTS (SELECT 1 FROM notes n WHERE n.influencer_id = i.id)",
}
# An outgoing message counts as contact once sent (history rows without a status were sent too).
SENT = ("SELECT 1 FROM messages m WHERE m.influencer_id = i.id AND m.direction = 'out' "
        "AND coalesce(m.status, 'sent') = 'sent'")
LIKE = "LIKE ? ESCAPE '\\'"
SQL_OPS = {":": "=", ">=": ">=", "<=": "<=", ">": ">", "<": "<"}


def like_pattern(value: str, *, contains: bool) -> str:
    """A LIKE pattern for `value`: `%` and `_` match themselves, `*` is the wildcard."""
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_").replace("*", "%")
    return f"%{escaped}%" if contains else escaped


def _marks(values: tuple) -> str:
    return ", ".join("?" for _ in values)


def _word(term: Term, now: datetime) -> Sql:
    pattern = like_pattern(term.values[0], contains=True)
    return "(" + " OR ".join(f"{c} {LIKE}" for c in WORD_COLUMNS) + ")", [pattern] * len(WORD_COLUMNS)


def _text(term: Term, now: datetime) -> Sql:
    column, value = TEXT_COLUMNS[term.key], term.values[0]
    if term.key == "handle":
        return _handle(value)
    if "*" in value:
        return f"{column} {LIKE}", [like_pattern(value, contains=False)]
    return f"{column} {LIKE}", [like_pattern(value, contains=True)]


def _handle(value: str) -> Sql:
    """Handles compare by their key (any case, width or composition); the unique index serves `=`."""
    key = handle_key(value)
    if "*" in key:
        return f"i.handle_key {LIKE}", [like_pattern(key, contains=False)]
    return "i.handle_key = ?", [key]


def _list(term: Term, now: datetime) -> Sql:
    column = LIST_COLUMNS[term.key]
    return (f"EXISTS (SELECT 1 FROM json_each({column}) j "
            f"WHERE j.value COLLATE NOCASE IN ({_marks(term.values)}))", list(term.values))


def _code(term: Term, now: datetime) -> Sql:
    return f"{CODE_COLUMNS[term.key]} COLLATE NOCASE IN ({_marks(term.values)})", list(term.values)


def _number(term: Term, now: datetime) -> Sql:
    column = NUMBER_COLUMNS[term.key]
    if len(term.values) == 2:
        return f"{column} BETWEEN ? AND ?", list(term.values)
    return f"{column} {SQL_OPS[term.op]} ?", [term.values[0]]


def _flag(term: Term, now: datetime) -> Sql:
    condition = FLAGS[term.key]
    return (condition if term.values[0] else f"NOT {condition}"), []


def _replied(term: Term, now: datetime) -> Sql:
    """Wrote to us at all, or in a reply marked so (an unmarked reply is neutral)."""
    value = term.values[0]
    if isinstance(value, bool):
        return (REPLIED if value else f"NOT {REPLIED}"), []
    if value == "neutral":
        return REPLIED_WITH.format(signal="coalesce(m.reply_signal, 'neutral') = ?"), [value]
    return REPLIED_WITH.format(signal="m.reply_signal = ?"), [value]


def _campaign(term: Term, now: datetime) -> Sql:
    return ("i.id IN (SELECT a.influencer_id FROM applications a JOIN campaigns c ON c.id = a.campaign_id "
            f"WHERE c.name IN ({_marks(term.values)}))", list(term.values))


@dataclass(frozen=True)
class Scope:
    """Which application a `stage:` term is about: the campaigns named beside it, else a default.

    `campaigns` holds the values of each positive `campaign:` term of the conjunctions around the
    term; `campaign_id` is the campaign on screen (the Pipeline pane), used when none is named.
    """

    campaigns: tuple[tuple[str, ...], ...] = ()
    campaign_id: int | None = None

    def naming(self, campaigns: list[tuple[str, ...]]) -> Scope:
        return replace(self, campaigns=(*self.campaigns, *campaigns)) if campaigns else self


ANY_APPLICATION = Scope()


def _stage(term: Term, now: datetime, scope: Scope = ANY_APPLICATION) -> Sql:
    stages = f"a.stage IN ({_marks(term.values)})"
    if scope.campaigns:
        # In each named campaign the application is at one of the stages: the same application.
        parts = [("i.id IN (SELECT a.influencer_id FROM applications a JOIN campaigns c "
                  f"ON c.id = a.campaign_id WHERE c.name IN ({_marks(names)}) AND {stages})",
                  [*names, *term.values])
                 for names in scope.campaigns]
        return " AND ".join(sql for sql, _ in parts), [p for _, params in parts for p in params]
    if scope.campaign_id is not None:
        return (f"i.id IN (SELECT a.influencer_id FROM applications a WHERE a.campaign_id = ? AND {stages})",
                [scope.campaign_id, *term.values])
    return f"i.id IN (SELECT a.influencer_id FROM applications a WHERE {stages})", list(term.values)


def _contacted(term: Term, now: datetime) -> Sql:
    value = term.values[0]
    if isinstance(value, bool):
        return (f"EXISTS ({SENT})" if value else f"NOT EXISTS ({SENT})"), []
    since = iso(now - timedelta(days=value))
    within = f"EXISTS ({SENT} AND m.sent_at >= ?)"
    if term.op == ">":
        return f"(EXISTS ({SENT}) AND NOT {within})", [since]
    return within, [since]


# A click on a tracked link in one of our messages (store/clicks.py), from the index on (influencer, time).
CLICKED = "SELECT 1 FROM clicks c WHERE c.influencer_id = i.id"


def _clicked(term: Term, now: datetime) -> Sql:
    value = term.values[0]
    if isinstance(value, bool):
        return (f"EXISTS ({CLICKED})" if value else f"NOT EXISTS ({CLICKED})"), []
    since = iso(now - timedelta(days=value))
    within = f"EXISTS ({CLICKED} AND c.clicked_at >= ?)"
    if term.op == ">":
        return f"(EXISTS ({CLICKED}) AND NOT {within})", [since]
    return within, [since]


def _has(term: Term, now: datetime) -> Sql:
    return HAS[term.values[0]], []


def _var(term: Term, now: datetime) -> Sql:
    head = "EXISTS (SELECT 1 FROM json_each(i.custom) j WHERE j.key = ? COLLATE NOCASE AND "
    if term.op != ":":
        # Numbers, and text that reads as a number (imports write "42" as text).
        number = ("CASE WHEN j.type IN ('integer', 'real') THEN j.value "
                  "WHEN j.type = 'text' AND trim(j.value) <> '' "
                  "AND trim(j.value) NOT GLOB '*[^0-9.+-]*' THEN CAST(trim(j.value) AS REAL) END")
        return f"{head}({number}) {SQL_OPS[term.op]} ?)", [term.name, term.values[0]]
    value = term.values[0]
    if "*" in value:
        return f"{head}CAST(j.value AS TEXT) {LIKE})", [term.name, like_pattern(value, contains=False)]
    return f"{head}CAST(j.value AS TEXT) = ? COLLATE NOCASE)", [term.name, value]


def _unread_segment(term: Term, now: datetime) -> Sql:
    raise QueryError(f"{term} names a saved segment, which this search cannot read.")


BUILDERS: dict[str, Callable[[Term, datetime], Sql]] = {
    "word": _word, "text": _text, "list": _list, "code": _code, "number": _number, "flag": _flag,
    "replied": _replied,
    "campaign": _campaign, "stage": _stage, "contacted": _contacted, "clicked": _clicked, "has": _has,
    "var": _var,
    "segment": _unread_segment,
}


def term_sql(term: Term, now: datetime, scope: Scope = ANY_APPLICATION) -> Sql:
    """The SQL condition and parameters of one term, relative to `now` (and `scope` for stages)."""
    if term.family == "stage":
        return _stage(term, now, scope)
    return BUILDERS[term.family](term, now)
