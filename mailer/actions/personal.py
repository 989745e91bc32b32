"""The verbs of a message's personal links: an invitee answers, a candidate signs or refuses the agreement.

`serve` acts as `callsheet-web` (store/operators.py WEB_LOGIN), allowed these verbs and no
other; the audit trail names the influencer the message went to (`influencer:@handle`).
A yes is the answer `callsheet apply` records for an invitee, a signature the `signed` of
`decide`. Each verb works once; what it did or why it did nothing is its `state`.
"""

from __future__ import annotations

from dataclasses import dataclass

from mailer.actions.outcome import Outcome, acting, woke
from mailer.templating.trigger_mail import Composer
from store import applications, personal_links, stages
from store.casting import actor_for
from store.db import Store
from store.personal_links import LinkTarget

ANSWER_INVITATION = "answer_invitation"
SIGN_AGREEMENT = "sign_agreement"
# What a visit can end in; the page says each in its own words.
YES, NO, ALREADY, CLOSED, UNKNOWN = "yes", "no", "already", "closed", "unknown"
SIGNED, REFUSED, EXPIRED, NOT_WAITING = "signed", "refused", "expired", "not waiting"


@dataclass(frozen=True, kw_only=True)
class LinkOutcome(Outcome):
    """What one visit did: `state` above; `answer` is what was (or had been) answered."""

    state: str
    campaign: str = ""
    handle: str = ""
    answer: str | None = None
    email_status: str | None = None


def link_target(store: Store, token: str) -> LinkTarget | None:
    """What the link with `token` names (a read: the token is the key), or None."""
    return personal_links.target(store.reader(), token)


def _unknown(what: str) -> LinkOutcome:
    return LinkOutcome(sentence=f"There is no {what} at this address.", state=UNKNOWN, warning=True)


def answer_invitation(store: Store, token: str, yes: bool) -> LinkOutcome:
    """The invitee's yes (invited -> to review, with its trigger mail) or no (-> declined), once."""
    with acting(store, ANSWER_INVITATION) as db:
        found = personal_links.target(db, token)
        if found is None or found.campaign is None or found.application is None:
            return _unknown("invitation")
        campaign, application, handle = found.campaign, found.application, found.handle
        base = {"campaign": campaign.name, "handle": handle}
        if application["stage"] != stages.INVITED:
            given = personal_links.invitation_answer(db, application["id"])
            return LinkOutcome(sentence=f"@{handle} already answered the invitation to {campaign.name!r}"
                                        f"{': ' + given if given else ''}; nothing changed.",
                               state=ALREADY, answer=given, warning=True, **base)
        now = store.clock.now()
        reason = applications.closed_reason(campaign, now)
        if reason:
            return LinkOutcome(sentence=reason + "; nothing was recorded.", state=CLOSED, warning=True,
                               **base)
        actor = actor_for(handle)
        if yes:
            move = applications.apply(db, campaign, found.influencer, now=now, actor=actor,
                                      compose=Composer(db, campaign, actor))
        else:
            move = applications.decline_invitation(db, campaign, found.influencer, now=now, actor=actor)
    said = YES if yes else NO
    outcome = LinkOutcome(sentence=f"@{handle} answered {said} to the invitation to {campaign.name!r} "
                                   f"(now {stages.label(move.to_stage)}).",
                          state=said, answer=said, email_status=move.email_status, campaign=campaign.name,
                          handle=handle)
    return woke(store, outcome, int(move.email_status == "queued"))


def answer_agreement(store: Store, token: str, sign: bool) -> LinkOutcome:
    """The candidate signs (-> signed) or refuses (-> refused) the agreement before its deadline, once;
    after the deadline nothing is recorded."""
    with acting(store, SIGN_AGREEMENT) as db:
        found = personal_links.target(db, token)
        if found is None or found.campaign is None or found.application is None:
            return _unknown("agreement")
        campaign, application, handle = found.campaign, found.application, found.handle
        base = {"campaign": campaign.name, "handle": handle}
        now = store.clock.now()
        stage = stages.effective_stage(application["stage"], application["agreement_deadline"], now)
        if stage in (stages.SIGNED, stages.REFUSED):
            return LinkOutcome(sentence=f"@{handle} already {stage} the agreement of {campaign.name!r}; "
                                        "nothing changed.", state=ALREADY, answer=stage, warning=True, **base)
        if stage == stages.EXPIRED:
            return LinkOutcome(sentence=f"The agreement of {campaign.name!r} for @{handle} expired; "
                                        "nothing was recorded.", state=EXPIRED, warning=True, **base)
        if stage != stages.AGREEMENT_SENT:
            return LinkOutcome(sentence=f"No agreement of {campaign.name!r} is waiting for @{handle}'s "
                                        "signature.", state=NOT_WAITING, warning=True, **base)
        actor = actor_for(handle)
        decision = SIGNED if sign else REFUSED
        try:
            moves = applications.decide(db, campaign, [found.influencer], decision, now=now, actor=actor,
                                        compose=Composer(db, campaign, actor))
        except stages.IllegalMove as refused:
            return LinkOutcome(sentence=refused.sentence, state=NOT_WAITING, warning=True, **base)
    move = moves[0]
    outcome = LinkOutcome(sentence=f"@{handle} {decision} the agreement of {campaign.name!r}.",
                          state=decision, answer=decision, email_status=move.email_status,
                          campaign=campaign.name, handle=handle)
    return woke(store, outcome, int(move.email_status == "queued"))

