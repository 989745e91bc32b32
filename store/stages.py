"""The casting pipeline's stages and the moves between them, as data and pure functions.

Stages are stored as people read them ("to review", "in campaign"), as SPEC §3 names them.
`next_stage` is the single authority on what may move where: every caller, the
command line and the app alike, goes through it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from store.errors import UserError

INVITED = "invited"
TO_REVIEW = "to review"
INELIGIBLE = "ineligible"
SHORTLISTED = "shortlisted"
DECLINED = "declined"
AGREEMENT_SENT = "agreement sent"
SIGNED = "signed"
REFUSED = "refused"
EXPIRED = "expired"
IN_CAMPAIGN = "in campaign"
REJECTED = "rejected"

STAGES = (INVITED, TO_REVIEW, INELIGIBLE, SHORTLISTED, DECLINED, AGREEMENT_SENT, SIGNED, REFUSED,
          EXPIRED, IN_CAMPAIGN, REJECTED)
LABELS = {stage: stage for stage in STAGES}
FINAL = frozenset({IN_CAMPAIGN, REJECTED})
# Nobody is told about these: no trigger may send mail on entering them.
PRIVATE = frozenset({INELIGIBLE, SHORTLISTED, DECLINED})
# Still waiting for the brand's verdict: "start collaboration" rejects them.
UNDECIDED = frozenset({TO_REVIEW, INELIGIBLE, SHORTLISTED, DECLINED, AGREEMENT_SENT})

# Where an application's agreement stands (the profile shows its deadline).
AGREEMENT_STAGES = frozenset({AGREEMENT_SENT, SIGNED, REFUSED, EXPIRED})

# Operator decisions (the `decide` verbs) and the stages each may start from.
DECISIONS: dict[str, tuple[str, frozenset[str]]] = {
    "accept": (IN_CAMPAIGN, frozenset({TO_REVIEW, SHORTLISTED, DECLINED, INELIGIBLE, SIGNED})),
    "reject": (REJECTED, frozenset({TO_REVIEW, SHORTLISTED, DECLINED, INELIGIBLE, AGREEMENT_SENT,
                                    SIGNED, REFUSED, EXPIRED})),
    "shortlist": (SHORTLISTED, frozenset({TO_REVIEW, DECLINED, INELIGIBLE})),
    "decline": (DECLINED, frozenset({TO_REVIEW, SHORTLISTED, INELIGIBLE})),
    "send-agreement": (AGREEMENT_SENT, frozenset({TO_REVIEW, SHORTLISTED, DECLINED, EXPIRED})),
    "signed": (SIGNED, frozenset({AGREEMENT_SENT})),
    "refused": (REFUSED, frozenset({AGREEMENT_SENT})),
}
IRREVERSIBLE = frozenset({"accept", "reject"})
# Decisions that move someone towards the group: refused once the collaboration started.
ADMITTING = frozenset({"accept", "shortlist", "send-agreement", "signed"})
# System and candidate actions, besides the operator's decisions.
ACTIONS = (*DECISIONS, "answer", "answer-no", "expire", "collaborate-in", "collaborate-out")
# How a refusal names an action that is not a plain verb; the handle follows ("send the agreement to @ana").
VERBS = {"send-agreement": "send the agreement to", "signed": "record the signature of",
         "refused": "record the refusal of"}


def label(stage: str | None) -> str:
    """The stage as people read it."""
    return LABELS.get(stage or "", stage or "none")


def parse_stage(text: str) -> str:
    """A stage from what a person typed ('to review', 'to-review', 'to_review')."""
    stage = " ".join(text.strip().lower().replace("-", " ").replace("_", " ").split())
    if stage not in STAGES:
        raise UserError(f"Unknown stage {text!r}; stages are {', '.join(LABELS.values())}.")
    return stage


def parse_decision(text: str) -> str:
    decision = text.strip().lower().replace("_", "-")
    if decision not in DECISIONS:
        raise UserError(f"Unknown decision {text!r}; choose one of {', '.join(DECISIONS)}.")
    return decision


class StageColumns(Protocol):
    """What the stage machine reads of a campaign (store.campaigns.Campaign has it)."""

    @property
    def requires_agreement(self) -> bool: ...
    @property
    def collaborated_at(self) -> str | None: ...


class Thresholds(Protocol):
    """A campaign's minimums for self-applicants."""

    @property
    def min_followers(self) -> int: ...
    @property
    def min_engagement(self) -> float: ...


@dataclass(frozen=True)
class CampaignRules:
    """The part of a campaign the stage machine needs."""

    requires_agreement: bool = False
    collaborated: bool = False

    @classmethod
    def of(cls, campaign: StageColumns) -> CampaignRules:
        return cls(campaign.requires_agreement, bool(campaign.collaborated_at))


class IllegalMove(UserError):
    """A move the stage machine refuses; the sentence names the current stage."""

    def __init__(self, verb: str, stage: str, why: str) -> None:
        self.verb, self.stage, self.why = verb, stage, why
        bare = verb.removesuffix(" to").removesuffix(" of").removesuffix(" with")  # no handle to follow
        super().__init__(f"Cannot {bare}: the application is at stage '{label(stage)}'{why}.")

    def clause(self, handle: str) -> str:
        """The refusal for one named influencer, without the final period."""
        return f"cannot {self.verb} @{handle}: the application is at stage '{label(self.stage)}'{self.why}"


def _refuse(current: str, action: str, why: str) -> IllegalMove:
    return IllegalMove(VERBS.get(action, action.replace("-", " ")), current, why)


def effective_stage(stage: str, agreement_deadline: str | None, now: datetime) -> str:
    """An agreement past its deadline counts as expired before the daemon records it: no late signature."""
    # Stored as ISO 8601 with its offset (store.clock.iso); parsed here so the rules stay clock-free.
    if stage == AGREEMENT_SENT and agreement_deadline and datetime.fromisoformat(agreement_deadline) <= now:
        return EXPIRED
    return stage


def next_stage(current: str, action: str, campaign: StageColumns | CampaignRules, now: datetime) -> str:
    """The stage after `action`, or one sentence naming the current stage when it is illegal."""
    # `now` is part of the contract so time rules can join without changing callers; the
    # closing time is checked where it is stored, a passed agreement deadline by `effective_stage`.
    rules = campaign if isinstance(campaign, CampaignRules) else CampaignRules.of(campaign)
    if current in FINAL and action != "collaborate-in":
        raise _refuse(current, action, ", which is final")
    if action == "answer":
        if current != INVITED:
            raise _refuse(current, "record a yes to the invitation", ", not invited")
        return TO_REVIEW
    if action == "answer-no":  # the invitee's own no, from the answer page
        if current != INVITED:
            raise _refuse(current, "record a no to the invitation", ", not invited")
        return DECLINED
    if action == "expire":
        if current != AGREEMENT_SENT:
            raise _refuse(current, action, ", not waiting for a signature")
        return EXPIRED
    if action in ("collaborate-in", "collaborate-out"):
        return _collaborate(current, action, rules)
    if action not in DECISIONS:
        raise UserError(f"Unknown action {action!r}.")
    return _decide(current, action, rules)


def _decide(current: str, action: str, rules: CampaignRules) -> str:
    target, sources = DECISIONS[action]
    if current == target:
        raise _refuse(current, action, " already")
    if current == INVITED:
        raise _refuse(current, action, " and has not answered the invitation yet")
    if rules.collaborated and action in ADMITTING:
        raise _refuse(current, action, "; the collaboration started and the group is fixed")
    if action == "send-agreement" and not rules.requires_agreement:
        raise _refuse(current, action, "; this campaign does not require an agreement")
    if action == "accept" and rules.requires_agreement and current != SIGNED:
        raise _refuse(current, action, "; this campaign requires a signed agreement first"
                      + AGREEMENT_STEPS.get(current, ""))
    if current not in sources:
        waiting = action in ("signed", "refused")
        raise _refuse(current, action, _no_agreement_waiting(current) if waiting else "")
    return target


# What stands between an application and an accept in a campaign that requires an agreement.
AGREEMENT_STEPS = {
    TO_REVIEW: ", so send the agreement, then record the signature",
    SHORTLISTED: ", so send the agreement, then record the signature",
    DECLINED: ", so send the agreement, then record the signature",
    INELIGIBLE: ", so shortlist, send the agreement, then record the signature",
    EXPIRED: ", and the deadline of this one passed: send a new agreement",
    AGREEMENT_SENT: ", and this one is still waiting for the signature",
    REFUSED: ", and this one was refused",
}


def _no_agreement_waiting(current: str) -> str:
    """Why a signature or a refusal cannot be recorded at `current`."""
    if current == EXPIRED:
        return ", whose deadline passed: send a new agreement first"
    return "; no agreement is waiting for a signature"


def _collaborate(current: str, action: str, rules: CampaignRules) -> str:
    if action == "collaborate-in":
        if current in (SIGNED, IN_CAMPAIGN):
            return IN_CAMPAIGN
        raise _refuse(current, "start the collaboration with", ", neither signed nor accepted")
    if current not in UNDECIDED:
        raise _refuse(current, "turn down", ", not undecided")
    return REJECTED


def allowed_decisions(current: str, campaign: StageColumns | CampaignRules) -> list[str]:
    """The decisions an operator may take from `current` (for menus and key hints)."""
    legal = []
    for decision in DECISIONS:
        try:
            next_stage(current, decision, campaign, datetime.min)
        except UserError:
            continue
        legal.append(decision)
    return legal


def eligible(influencer: dict, campaign: Thresholds) -> bool:
    """Whether a self-applicant meets the campaign's minimum followers and engagement."""
    followers = influencer.get("followers") or 0
    engagement = influencer.get("engagement_rate") or 0.0
    return followers >= campaign.min_followers and engagement >= campaign.min_engagement


def reachable(stage: str, campaign: StageColumns | CampaignRules) -> set[str]:
    """Every stage an application at `stage` could still reach through answers and decisions."""
    seen, frontier = set(), [stage]
    while frontier:
        current = frontier.pop()
        for action in (*DECISIONS, "answer", "answer-no", "expire"):
            try:
                target = next_stage(current, action, campaign, datetime.min)
            except UserError:
                continue
            if target not in seen:
                seen.add(target)
                frontier.append(target)
    return seen
