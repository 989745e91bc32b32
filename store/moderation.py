"""The moderation queue's data: upcoming invitations, their counters, and guarded state changes.

Every change is conditional on the row still being unsent, so a moderator never
races the dispatcher: once a message is claimed, it can no longer be changed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Self

from store import campaigns
from store.database import Database
from store.errors import NotFound, UserError
from store.outbox import tokens
from store.outreach import BLOCKING_FLAGS

CHANGEABLE = ("planned", "queued", "skipped")
MODERATOR_SKIP = "moderator_skip"

_COLUMNS = """m.id, m.campaign_id, c.name AS campaign, c.moderation, c.invite_limit, c.timezone,
    c.languages AS campaign_languages, m.from_addr AS sender, m.from_name, m.influencer_id,
    i.handle, i.name, i.language AS influencer_language, m.language, m.subject,
    length(trim(m.body, ' ' || char(9, 10, 13))) AS length, m.status, m.flags, m.approved_by,
    m.scheduled_at, m.plan_date"""
_ORDER = "ORDER BY c.name, m.from_addr, m.scheduled_at, m.id"


def _decoded(value: Any) -> tuple[str, ...]:
    """A JSON list as stored (or already decoded) as a tuple of strings."""
    return tuple(json.loads(value) if isinstance(value, str) else value)


@dataclass(frozen=True, slots=True)
class Invitation:
    """One unsent invitation with its campaign and influencer; `body`/`body_html` only from `message()`."""

    id: int
    campaign_id: int
    campaign: str
    moderation: bool
    invite_limit: int
    timezone: str
    campaign_languages: tuple[str, ...]
    sender: str | None
    from_name: str | None
    influencer_id: int
    handle: str
    name: str
    influencer_language: str | None
    language: str | None
    subject: str
    length: int
    status: str
    flags: tuple[str, ...]
    approved_by: str | None
    scheduled_at: str | None
    plan_date: str | None
    body: str | None = None
    body_html: str | None = None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Self:
        """From a row of `_COLUMNS`; the JSON lists (flags, the campaign's languages) decoded here."""
        return cls(
            id=row["id"], campaign_id=row["campaign_id"], campaign=row["campaign"],
            moderation=bool(row["moderation"]), invite_limit=row["invite_limit"], timezone=row["timezone"],
            campaign_languages=_decoded(row["campaign_languages"]), sender=row["sender"],
            from_name=row["from_name"], influencer_id=row["influencer_id"], handle=row["handle"],
            name=row["name"], influencer_language=row["influencer_language"], language=row["language"],
            subject=row["subject"], length=row["length"], status=row["status"], flags=_decoded(row["flags"]),
            approved_by=row["approved_by"], scheduled_at=row["scheduled_at"], plan_date=row["plan_date"],
            body=row.get("body"), body_html=row.get("body_html"))


@dataclass(frozen=True)
class Counters:
    """The pane's counters: to review, approved, skipped, flagged."""

    to_review: int = 0
    approved: int = 0
    skipped: int = 0
    flagged: int = 0
    total: int = 0

    def describe(self) -> str:
        return (f"{self.to_review} to review · {self.approved} approved · {self.skipped} skipped · "
                f"{self.flagged} flagged")


def _scope(now: str, plan_date: str | None, campaign_id: int | None) -> tuple[str, list]:
    """Invitations still to go: a given local plan date, else everything unsent and upcoming."""
    where = ["m.kind = 'invitation'", "m.direction = 'out'", "m.status IN ('planned', 'queued', 'skipped')"]
    params: list = []
    if plan_date:
        where.append("m.plan_date = ?")
        params.append(plan_date)
    else:
        where.append("(coalesce(m.scheduled_at, m.created_at) >= ? OR m.status = 'planned')")
        params.append(now)
    if campaign_id:
        where.append("m.campaign_id = ?")
        params.append(campaign_id)
    return " AND ".join(where), params


def queue(db: Database, now: str, *, plan_date: str | None = None, campaign_id: int | None = None,
          limit: int = -1, offset: int = 0) -> list[Invitation]:
    """The queue by campaign, sender and send time (a page of it with `limit`/`offset`)."""
    where, params = _scope(now, plan_date, campaign_id)
    return [Invitation.from_row(row) for row in db.query(
        f"""SELECT {_COLUMNS} FROM messages m JOIN campaigns c ON c.id = m.campaign_id
            JOIN influencers i ON i.id = m.influencer_id
            WHERE {where} {_ORDER} LIMIT ? OFFSET ?""",
        [*params, limit, offset],
    )]


def is_blocked(flags: Iterable[str]) -> bool:
    return bool(BLOCKING_FLAGS & set(flags))


_LEAVES = "it leaves at the next dispatch inside the campaign's window"


def untimed(row: Invitation) -> str | None:
    """When an invitation without a send time (one added by hand) gets one; None when it has a time."""
    if row.scheduled_at:
        return None
    if row.status == "skipped":
        return "unscheduled: skipped, it gets no time"
    if row.status == "queued":
        return f"unscheduled: {_LEAVES}"
    return f"unscheduled: once {'fixed' if is_blocked(row.flags) else 'approved'}, {_LEAVES}"


def unplanned(db: Database, campaign_id: int | None = None) -> list[str]:
    """Why campaigns add nothing to the queue (paused, no segment…); closed ones unless asked for."""
    where, params = ("id = ?", [campaign_id]) if campaign_id else ("status != 'closed'", [])
    rows = db.query(f"SELECT * FROM campaigns WHERE {where} ORDER BY id", params)
    return [block for row in rows if (block := campaigns.planning_block(campaigns.Campaign.from_row(row)))]


def counters(rows: Iterable[Invitation]) -> Counters:
    to_review = approved = skipped = flagged = total = 0
    for row in rows:
        total += 1
        if row.status == "skipped":
            skipped += 1
        elif is_blocked(row.flags):
            flagged += 1
        elif row.approved_by:
            approved += 1
        elif row.moderation:
            to_review += 1
    return Counters(to_review, approved, skipped, flagged, total)


def message(db: Database, message_id: int) -> Invitation:
    """One queued invitation with everything needed to re-render or show it."""
    rows = list(db.query(
        f"""SELECT {_COLUMNS}, m.body, m.body_html FROM messages m
            JOIN campaigns c ON c.id = m.campaign_id JOIN influencers i ON i.id = m.influencer_id
            WHERE m.id = ? AND m.kind = 'invitation' AND m.direction = 'out'""",
        [message_id],
    ))
    if not rows:
        raise NotFound(f"There is no invitation #{message_id} in the queue.")
    row = rows[0]
    if row["status"] not in CHANGEABLE:
        raise UserError(f"Invitation #{message_id} is already {row['status']}; it can no longer be changed.")
    return Invitation.from_row(row)


def _status_for(flags: set[str], skipped: bool) -> str:
    if skipped:
        return "skipped"
    return "planned" if is_blocked(flags) else "queued"


def update(db: Database, row: Invitation, *, now: str, flags: set[str], skipped: bool | None = None,
           **columns: object) -> bool:
    """Write new content/flags and the status they imply; False if the row left the queue meanwhile.

    A re-rendered body's personal links (held by `tokens.MESSAGE_TOKEN`) get this message's token."""
    for name in ("body", "body_html"):
        text = columns.get(name)
        if isinstance(text, str) and tokens.MESSAGE_TOKEN in text:
            found = db.execute("SELECT message_id FROM messages WHERE id = ?", (row.id,)).fetchone()
            columns[name] = tokens.fill(text, found[0]) if found and found[0] else text
    skip = (row.status == "skipped") if skipped is None else skipped
    values = {**columns, "flags": json.dumps(sorted(flags)), "status": _status_for(flags, skip),
              "updated_at": now}
    assignments = ", ".join(f"{name} = ?" for name in values)
    cursor = db.conn.execute(
        f"UPDATE messages SET {assignments} WHERE id = ? AND status IN ('planned', 'queued', 'skipped')",
        [*values.values(), row.id],
    )
    return cursor.rowcount == 1


def edit_source(db: Database, message_id: int) -> tuple[str, str] | None:
    """The (subject, body) template a moderator wrote for this invitation, if any."""
    row = db.execute("SELECT subject, body FROM invitation_edits WHERE message_id = ?",
                     (message_id,)).fetchone()
    return (row[0], row[1]) if row else None


def keep_edit_source(db: Database, message_id: int, source: tuple[str, str] | None) -> None:
    """Remember a moderator's template for this invitation, or forget it (None)."""
    if source is None:
        db.conn.execute("DELETE FROM invitation_edits WHERE message_id = ?", (message_id,))
        return
    db.conn.execute(
        """INSERT INTO invitation_edits (message_id, subject, body) VALUES (?, ?, ?)
           ON CONFLICT (message_id) DO UPDATE SET subject = excluded.subject, body = excluded.body""",
        (message_id, *source))


def due_now(db: Database, ids: Iterable[int], now: str) -> int:
    """How many of these invitations are queued and due by `now` (untimed ones leave at the next dispatch)."""
    wanted = list(ids)
    if not wanted:
        return 0
    marks = ", ".join("?" for _ in wanted)
    return db.execute(
        f"SELECT count(*) FROM messages WHERE id IN ({marks}) AND status = 'queued' "
        "AND (scheduled_at IS NULL OR scheduled_at <= ?)", [*wanted, now]).fetchone()[0]
