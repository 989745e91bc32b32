"""Who an invitation of many reaches: the influencers a query, a saved segment or another
campaign names, sorted into those to invite and those skipped, each with why."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from store import campaigns, segments, stages
from store.campaigns import Campaign
from store.database import Database
from store.errors import UserError
from store.query.parser import parse_query
from store.query.tokens import quote


@dataclass(frozen=True)
class InviteSource:
    """Where the people come from: one of a query, a segment's name or another campaign (at
    `stage`, else every stage); `limit` caps how many are invited."""

    query: str = ""
    segment: str = ""
    campaign: str = ""
    stage: str = ""
    limit: int | None = None

    def __post_init__(self) -> None:
        given = [bool(self.query.strip()), bool(self.segment.strip()), bool(self.campaign.strip())]
        if sum(given) != 1:
            raise UserError("Invite from exactly one of handles, --query, --segment or --from-campaign.")
        if self.stage and not self.campaign.strip():
            raise UserError("--stage goes with --from-campaign: it picks that campaign's people at a stage.")
        if self.limit is not None and self.limit < 1:
            raise UserError(f"--limit takes a number of influencers from 1 up (got {self.limit}).")
        if self.stage:
            object.__setattr__(self, "stage", stages.parse_stage(self.stage))

    def describe(self) -> str:
        """The source as the sentences name it: "segment 'Beauty'", "campaign 'Glow' (signed)"."""
        if self.query.strip():
            return f"query {self.query.strip()!r}"
        if self.segment.strip():
            return f"segment {self.segment.strip()!r}"
        at = f" ({stages.label(self.stage)})" if self.stage else ""
        return f"campaign {self.campaign.strip()!r}{at}"


@dataclass(frozen=True)
class Skip:
    """One person the source names who is not invited, and why."""

    handle: str
    reason: str


@dataclass(frozen=True)
class Invitees:
    """The source's people in handle order: those to invite (cut to the limit) and the skipped."""

    ready: list[tuple[int, str]]  # (influencer id, handle)
    skipped: list[Skip]
    over_limit: int  # left out by the limit only


def sort_invitees(db: Database, campaign: Campaign, source: InviteSource, now: datetime) -> Invitees:
    """Everyone `source` names now, minus the suppressed and those already in `campaign`'s pipeline."""
    where, params = _condition(db, campaign, source, now)
    rows = db.execute(
        f"""SELECT i.id, i.handle, i.unsubscribed, i.bounced, mine.stage FROM influencers i
            LEFT JOIN applications mine ON mine.influencer_id = i.id AND mine.campaign_id = ?
            WHERE {where} ORDER BY i.handle, i.id""", [campaign.id, *params]).fetchall()
    ready, skipped = [], []
    for influencer_id, handle, unsubscribed, bounced, stage in rows:
        reason = ("unsubscribed" if unsubscribed else "bounced" if bounced else
                  f"already in the pipeline ({stages.label(stage)})" if stage else None)
        if reason:
            skipped.append(Skip(handle, reason))
        else:
            ready.append((influencer_id, handle))
    cut = ready[:source.limit] if source.limit is not None else ready
    return Invitees(cut, skipped, len(ready) - len(cut))


def _condition(db: Database, campaign: Campaign, source: InviteSource, now: datetime) -> tuple[str, list]:
    if source.campaign.strip():
        other = campaigns.get(db, source.campaign)
        if other.id == campaign.id:
            raise UserError(f"Invite from another campaign than {campaign.name!r}: "
                            f"its people are there already.")
        at = " AND a.stage = ?" if source.stage else ""
        return (f"i.id IN (SELECT a.influencer_id FROM applications a WHERE a.campaign_id = ?{at})",
                [other.id, *([source.stage] if source.stage else [])])
    if source.segment.strip():
        return segments.where(db, f"segment:{quote(source.segment.strip())}", now)
    query = parse_query(source.query.strip())
    if query.is_empty:
        raise UserError("An empty query would invite everyone; write one, such as tag:beauty.")
    return segments.where(db, query, now)
