"""The public casting-call page's one verb: an influencer applies to a campaign.

`serve` opens the store as `callsheet-web` (store/operators.py WEB_LOGIN), whose only
permission is this one; the audit trail names the influencer (`influencer:@handle`) as
the actor. The application is the one `callsheet apply` records (store/casting.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from mailer.actions.outcome import Outcome, acting, woke
from mailer.templating.trigger_mail import Composer
from store import applications, campaigns, casting, stages
from store.campaigns import Campaign
from store.casting import PageApplication
from store.db import Store

APPLY_FROM_PAGE = "apply_from_page"
RECEIVED, INELIGIBLE, CLOSED = "received", "ineligible", "closed"


@dataclass(frozen=True, kw_only=True)
class PageOutcome(Outcome):
    """What the visitor is told: `state` is received, ineligible or closed (nothing recorded)."""

    state: str
    campaign: str
    handle: str = ""
    flag: str | None = None
    email_status: str | None = None


def page_campaign(store: Store, token: str) -> Campaign | None:
    """The campaign whose casting-call page is at /c/`token` (a read: anyone may)."""
    return campaigns.by_apply_token(store.reader(), token)


def closed_reason(store: Store, campaign: Campaign) -> str | None:
    """Why the campaign takes no application now (one sentence without its period), or None."""
    return applications.closed_reason(campaign, store.clock.now())


def apply_from_page(store: Store, token: str, form: PageApplication) -> PageOutcome:
    """Record an application typed on the casting-call page: to review (with the acknowledgement) or
    ineligible (no mail); a closed campaign records nothing; bad input is one sentence (UserError)."""
    with acting(store, APPLY_FROM_PAGE) as db:
        campaign = campaigns.by_apply_token(db, token)
        if campaign is None:
            return PageOutcome(sentence="There is no casting call at this address.", state=CLOSED,
                               campaign="", warning=True)
        now = store.clock.now()
        reason = applications.closed_reason(campaign, now)
        if reason:
            return PageOutcome(sentence=reason + ".", state=CLOSED, campaign=campaign.name, warning=True)
        actor = casting.actor_for(casting.checked_handle(form.handle))
        done = casting.apply(db, campaign, form, now=now, actor=actor,
                             compose=Composer(db, campaign, actor))
    move = done.move
    if move.to_stage == stages.INELIGIBLE:
        outcome = PageOutcome(sentence=f"Recorded the application of @{move.handle} to {campaign.name!r}: "
                                       f"{move.note or 'not eligible'}.", state=INELIGIBLE,
                              campaign=campaign.name, handle=move.handle, flag=done.flag)
    else:
        outcome = PageOutcome(sentence=f"Recorded the application of @{move.handle} to {campaign.name!r}.",
                              state=RECEIVED, campaign=campaign.name, handle=move.handle, flag=done.flag,
                              email_status=move.email_status)
    return woke(store, outcome, int(move.email_status == "queued"))
