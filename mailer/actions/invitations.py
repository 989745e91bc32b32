"""Inviting many in one step: from a query, a saved segment or another campaign's people.

`preview_invitations` reads what `invite_many` would do (the count, the first names, who is
skipped and why) so a front end can ask first; `invite_many` sorts the people again inside
its write, so the answer holds for what is there at that moment, and invites them through
the same path as `pipeline.invite` (the invitation trigger, moderation, the audit events).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from mailer.actions.outcome import acting, permit, woke
from mailer.actions.pipeline import MOVE, Invited, _due, _summed
from mailer.templating.trigger_mail import Composer
from store import applications, audit, campaigns, influencers
from store.campaigns import Campaign
from store.database import Database
from store.db import Store
from store.errors import UserError
from store.invitees import Invitees, InviteSource, Skip, sort_invitees
from store.wording import plural

__all__ = ["InvitationPreview", "InviteSource", "InvitedMany", "Skip", "invite_many", "preview_invitations"]

FIRST = 10


def _skip_summary(skipped: list[Skip]) -> str:
    """How many are skipped by kind, as "2 suppressed, 1 already in the pipeline"."""
    kinds = Counter("already in the pipeline" if s.reason.startswith("already") else "suppressed"
                    for s in skipped)
    return ", ".join(f"{kinds[kind]} {kind}" for kind in ("suppressed", "already in the pipeline")
                     if kinds[kind])


@dataclass(frozen=True)
class InvitationPreview:
    """What `invite_many` would do now: whom it invites (the first few named) and whom it skips."""

    campaign: str
    source: str
    count: int
    first: list[str]
    skipped: list[Skip]
    over_limit: int

    @property
    def skipped_text(self) -> str:
        """The skipped part of the statement ("; skipping 3 (2 suppressed, …)"), or nothing."""
        return f"; skipping {len(self.skipped)} ({_skip_summary(self.skipped)})" if self.skipped else ""

    @property
    def summary(self) -> str:
        """The statement shown before the question: the source, the count, the first names, the skipped."""
        names = ", ".join(f"@{handle}" for handle in self.first)
        more = f" and {self.count - len(self.first)} more" if self.count > len(self.first) else ""
        capped = f"; {self.over_limit} more left out by the limit" if self.over_limit else ""
        return (f"From {self.source}, {self.count} to invite to {self.campaign!r}: {names}{more}"
                f"{self.skipped_text}{capped}.")

    @property
    def question(self) -> str:
        return f"Invite {plural(self.count, 'influencer')} to {self.campaign!r}?"

    def nobody(self) -> str:
        """The refusal when nobody is left to invite."""
        return f"Nobody to invite from {self.source} to {self.campaign!r}{self.skipped_text}."


@dataclass(frozen=True, kw_only=True)
class InvitedMany(Invited):
    """Many influencers invited in one step, and those the source named who were skipped."""

    skipped: list[Skip]


def _invitees(db: Database, campaign: Campaign, source: InviteSource, now: datetime) -> Invitees:
    """The source's people for `campaign`, refused as `invite` refuses a closed campaign."""
    reason = applications.closed_reason(campaign, now)
    if reason:
        raise UserError(reason + ".")
    return sort_invitees(db, campaign, source, now)


def preview_invitations(store: Store, campaign_name: str, source: InviteSource) -> InvitationPreview:
    """The count, the first names and the skipped of inviting `source` to the campaign; read only."""
    permit(store, MOVE)
    db = store.reader()
    campaign = campaigns.get(db, campaign_name)
    found = _invitees(db, campaign, source, store.clock.now())
    return InvitationPreview(campaign.name, source.describe(), len(found.ready),
                             [handle for _id, handle in found.ready[:FIRST]], found.skipped,
                             found.over_limit)


def invite_many(store: Store, campaign_name: str, source: InviteSource) -> InvitedMany:
    """Invite everyone `source` names but the suppressed and those already in the pipeline, at once."""
    with acting(store, MOVE) as db:
        campaign = campaigns.get(db, campaign_name)
        now = store.clock.now()
        found = _invitees(db, campaign, source, now)
        preview = InvitationPreview(campaign.name, source.describe(), len(found.ready), [],
                                    found.skipped, found.over_limit)
        if not found.ready:
            raise UserError(preview.nobody())
        people = [influencers.get(db, influencer_id) for influencer_id, _handle in found.ready]
        moves = applications.invite(db, campaign, people, now=now, actor=store.actor,
                                    compose=Composer(db, campaign, store.actor))
        audit.record(db, at=store.now_iso(), actor=store.actor, action="pipeline.invite_many",
                     entity="campaign", entity_id=campaign.id, campaign_id=campaign.id,
                     source=preview.source, invited=len(moves), skipped=len(found.skipped),
                     over_limit=found.over_limit)
    headline = f"Invited {plural(len(moves), 'influencer')} from {preview.source} to {campaign.name!r}"
    sentence = _summed(headline, moves)
    if found.skipped:
        sentence += f" Skipped {len(found.skipped)} ({_skip_summary(found.skipped)})."
    done = InvitedMany(sentence=sentence, moves=moves, skipped=found.skipped)
    return woke(store, done, _due(moves))
