"""Bulk email to a selection: one draft per influencer, previewed, then queued all or none."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlite_utils import Database

from mailer.compose import Draft, compose_draft, queue
from store import audit, influencers, threads
from store.errors import UserError

# (influencer row) -> (subject, body); the default sends the text as written.
Renderer = Callable[[dict], tuple[str, str]]
MAX_RECIPIENTS = 5000


@dataclass
class BulkPlan:
    """What `queue_all` would send, and who cannot be reached and why."""

    drafts: list[Draft] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.drafts)


def plain(subject: str, body: str) -> Renderer:
    return lambda _influencer: (subject, body)


def plan(db: Database, influencer_ids: Iterable[int], render: Renderer, *, actor: str,
         campaign_id: int | None = None) -> BulkPlan:
    """Render a draft for each influencer; anyone who cannot get one is listed with the reason.

    Without a campaign, each message is filed under (and sent by) the influencer's latest one.
    """
    ids = list(dict.fromkeys(influencer_ids))
    if not ids:
        raise UserError("Tag at least one influencer for a bulk email.")
    if len(ids) > MAX_RECIPIENTS:
        raise UserError(f"A bulk email goes to at most {MAX_RECIPIENTS} people (got {len(ids)}).")
    result = BulkPlan()
    for influencer_id in ids:
        influencer = influencers.get(db, influencer_id)
        try:
            subject, body = render(influencer)
            campaign = campaign_id or threads.latest_campaign(db, influencer_id)
            result.drafts.append(compose_draft(db, influencer_id, subject, body, actor=actor,
                                               campaign_id=campaign, kind="bulk"))
        except UserError as problem:
            result.problems.append((influencer["handle"], problem.sentence))
    return result


def queue_all(db: Database, bulk: BulkPlan, *, now: str, actor: str,
              campaign_id: int | None = None) -> dict[str, int]:
    """Queue every draft in the caller's transaction; returns counts by status."""
    if not bulk.drafts:
        raise UserError("Nobody in the selection can be emailed.")
    counts: dict[str, int] = {}
    for draft in bulk.drafts:
        _, status = queue(db, draft, now=now)
        counts[status] = counts.get(status, 0) + 1
    audit.record(db, at=now, actor=actor, action="message.bulk", entity="campaign",
                 entity_id=campaign_id, campaign_id=campaign_id, recipients=bulk.count, **counts)
    return counts
