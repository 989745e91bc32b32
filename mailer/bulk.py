"""Bulk email to a selection: one draft per influencer, previewed, then queued all or none."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from mailer.compose import Draft, compose_draft, queue
from mailer.templating.context import template_context
from mailer.templating.rendering import default_template, render_text
from mailer.templating.tracking import TrackRefused, tracking
from store import audit, campaigns, influencers, threads
from store import templates as stored_templates
from store.campaigns import Campaign
from store.database import Database
from store.errors import UserError
from store.header_text import check_header_text

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


TEMPLATE_KINDS = (*stored_templates.BASE_KINDS, "followup-1", "followup-2")


def plain(subject: str, body: str) -> Renderer:
    return lambda _influencer: (subject, body)


def _campaign_for(db: Database, campaign_id: int | None, influencer_id: int) -> Campaign | None:
    chosen = campaign_id or threads.latest_campaign(db, influencer_id)
    return campaigns.get_by_id(db, chosen) if chosen else None


def templated(db: Database, subject: str, body: str, campaign_id: int | None = None) -> Renderer:
    """The written subject and body as sandboxed jinja2 templates (`{{ firstName }}`…), per influencer."""
    check_header_text(subject, "The subject")

    def render(influencer: dict) -> tuple[str, str]:
        context = template_context(_campaign_for(db, campaign_id, influencer["id"]), influencer)
        language = influencer.get("language") or "en"
        with tracking(db) as tracker:  # a tracked link in a bulk mail registers its target when queued
            text = render_text(body, context, kind="message", language=language, part="body")
            try:
                text = tracker.rewrite(text, body) or text  # [links] track = true
            except TrackRefused as error:
                raise UserError(f"The message cannot be queued: {error}.") from None
            return render_text(subject, context, kind="message", language=language, part="subject"), text

    return render


def template_source(db: Database, campaign_id: int | None, kind: str) -> tuple[str, str]:
    """(subject, body) of a campaign's template in its first language, else the built-in one."""
    languages = campaigns.get_by_id(db, campaign_id).languages if campaign_id else ("en",)
    for language in (*languages, "en"):
        row = stored_templates.find(db, campaign_id, kind, language) if campaign_id else None
        if row:
            return row["subject"], row["body"]
        default = default_template(kind, language)
        if default:
            return default
    raise UserError(f"There is no {kind} template to start from.")


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
    """Queue every draft in the caller's transaction (its action checked the right); counts by status."""
    if not bulk.drafts:
        raise UserError("Nobody in the selection can be emailed.")
    counts: dict[str, int] = {}
    for draft in bulk.drafts:
        _, status = queue(db, draft, now=now)
        counts[status] = counts.get(status, 0) + 1
    audit.record(db, at=now, actor=actor, action="message.bulk", entity="campaign",
                 entity_id=campaign_id, campaign_id=campaign_id, recipients=bulk.count, **counts)
    return counts
