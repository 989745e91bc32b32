"""Pipeline actions with their emails: invite, apply, decide, undo, collaborate.

Each action is one write transaction with the role check inside it: the checks of
every application, the rendering of every email (a template error changes nothing),
then the stage changes, outbox rows and audit events together. Its result lists the
moves and sums them up in the sentence the command line prints.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from mailer.actions.outcome import Outcome, acting, permit, woke
from mailer.templating.trigger_mail import Composer
from store import applications, campaigns, influencers, stages, triggers
from store.clock import from_iso
from store.counters import by_stage
from store.database import Database
from store.db import Store
from store.errors import UserError
from store.moves import Move
from store.wording import plural

MOVE = "move_application"
DEFAULT_APP_GRACE = 30
GRACE_SETTING = "undo_grace_seconds"
PAST = {"accept": "Accepted", "reject": "Rejected", "shortlist": "Shortlisted", "decline": "Declined",
        "send-agreement": "Sent the agreement to", "signed": "Marked as signed",
        "refused": "Marked as refused"}


def _summed(headline: str, moves: list[Move]) -> str:
    """`headline` with the count of emails by status: "…; emails: 2 queued." or "…; no email."."""
    emails = Counter(move.email_status for move in moves if move.email_status)
    mail = ", ".join(f"{count} {status}" for status, count in sorted(emails.items()))
    return f"{headline}{'; emails: ' + mail if mail else '; no email'}."


def _due(moves: list[Move]) -> int:
    """How many of the moves' emails may leave now (the dispatcher's wake-up)."""
    return sum(move.email_status == "queued" for move in moves)


@dataclass(frozen=True, kw_only=True)
class Moved(Outcome):
    """Applications one action moved, each with its email; the CLI shows one line per move."""

    moves: list[Move]

    @property
    def lines(self) -> list[str]:
        return [move.describe() for move in self.moves]

    @property
    def move(self) -> Move:
        """The one move of a one-application action (apply, undo)."""
        return self.moves[0]


@dataclass(frozen=True, kw_only=True)
class Invited(Moved):
    """Influencers added to a pipeline as invited."""


@dataclass(frozen=True, kw_only=True)
class Applied(Moved):
    """One application (or an invitee's yes) recorded."""


@dataclass(frozen=True, kw_only=True)
class Undone(Moved):
    """The last decision on one application taken back."""


@dataclass(frozen=True, kw_only=True)
class Collaborated(Moved):
    """The one-time start of the collaboration: who joined and who was turned down."""


@dataclass(frozen=True, kw_only=True)
class Decided(Moved):
    """One decision applied to applications; `grace` seconds during which it can be undone."""

    decision: str
    grace: int

    @property
    def moved(self) -> list[str]:
        return [move.handle for move in self.moves]

    @property
    def queued(self) -> int:
        return sum(move.email_status in ("queued", "planned") for move in self.moves)

    @property
    def notice(self) -> str:
        """The app's shorter line, which says how long `u` can take it back."""
        held = f"; u undoes within {self.grace} s" if self.grace else ""
        return f"{self.decision}: {len(self.moves)} moved, {plural(self.queued, 'email')} queued{held}."


@dataclass(frozen=True, kw_only=True)
class UndoneMany(Outcome):
    """Several undos, each on its own: how many were taken back, and why the others were not."""

    undone: int
    refusals: list[str]


@dataclass(frozen=True)
class DecisionCheck:
    """Who a decision may move (handles) and why it may not move the others (one clause each).

    For the question before it: the template kind it sends (None: no email), each ready
    application's agreement deadline and, for send-agreement, the new one (campaign time).
    """

    ready: list[str]
    problems: list[str]
    email_kind: str | None = None
    deadlines: dict[str, str] = field(default_factory=dict)
    new_deadline: str | None = None
    unsigned: list[str] = field(default_factory=list)  # refused an accept for want of a signature

    def refusal(self) -> str:
        """The sentence that refuses the whole decision."""
        return applications.refusal(self.problems)


@dataclass(frozen=True)
class CollaborationPreview:
    """What starting the collaboration would do, for the question asked before it."""

    campaign: str
    joining: int
    leaving: int


def invite(store: Store, campaign_name: str, handles: list[str]) -> Invited:
    """Add influencers to a campaign's pipeline as invited, with the invitation trigger."""
    with acting(store, MOVE) as db:
        campaign = campaigns.get(db, campaign_name)
        people = influencers.by_handles(db, handles)
        moves = applications.invite(db, campaign, people, now=store.clock.now(), actor=store.actor,
                                    compose=Composer(db, campaign, store.actor))
    headline = f"Invited {plural(len(moves), 'influencer')} to {campaign_name!r}"
    return woke(store, Invited(sentence=_summed(headline, moves), moves=moves), _due(moves))


def apply(store: Store, campaign_name: str, handle: str, fee: float | None = None) -> Applied:
    """Record an application (or an invitee's yes), checked against the campaign's minimums."""
    with acting(store, MOVE) as db:
        campaign = campaigns.get(db, campaign_name)
        person = influencers.get_by_handle(db, handle)
        move = applications.apply(db, campaign, person, now=store.clock.now(), actor=store.actor,
                                  compose=Composer(db, campaign, store.actor), fee=fee)
    headline = f"Recorded the application of @{move.handle} to {campaign_name!r}"
    return woke(store, Applied(sentence=_summed(headline, [move]), moves=[move]), _due([move]))


def check_decision(store: Store, campaign_name: str, handles: list[str], decision: str) -> DecisionCheck:
    """What `decision` would do to each named application, by the same rules `decide` applies."""
    permit(store, MOVE)
    db, now = store.reader(), store.clock.now()
    campaign = campaigns.get(db, campaign_name)
    people = influencers.by_handles(db, handles)
    plan = applications.sort_decision(db, campaign, people, decision, now)
    ready = [person["handle"] for person, _application, _target in plan.moves]
    kinds = [kind for _person, _app, target in plan.moves
             if (kind := triggers.template_for(db, campaign.id, target))]
    if kinds:
        try:  # the email needs a sender: say so now rather than after the confirmation
            Composer(db, campaign, store.actor).sender()
        except UserError as error:
            return DecisionCheck([], [error.sentence.rstrip(".")])
    deadlines = {person["handle"]: deadline_text(application["stage"], application["agreement_deadline"],
                                                 campaign.timezone, now)
                 for person, application, _target in plan.moves if application["agreement_deadline"]}
    new_deadline = (local_time(now + timedelta(days=campaign.agreement_days), campaign.timezone)
                    if decision == "send-agreement" else None)
    return DecisionCheck(ready, list(plan.problems), kinds[0] if kinds else None, deadlines, new_deadline,
                         _unsigned(db, campaign, people, decision, ready))


def _unsigned(db: Database, campaign: campaigns.Campaign, people: list[dict], decision: str,
              ready: list[str]) -> list[str]:
    """Who an accept leaves out only because the campaign wants a signed agreement first."""
    if decision != "accept" or not campaign.requires_agreement:
        return []
    found = applications.by_influencer(db, campaign.id, [p["id"] for p in people])
    return [p["handle"] for p in people if p["handle"] not in ready and p["id"] in found
            and found[p["id"]]["stage"] not in (*stages.FINAL, stages.INVITED)]


def deadline_text(stage: str, deadline: str | None, timezone: str, now: datetime) -> str:
    """An application's agreement deadline in the campaign's time, marked once it has passed."""
    passed = stages.effective_stage(stage, deadline, now) == stages.EXPIRED and stage != stages.EXPIRED
    return local_time(deadline, timezone) + (" (passed)" if passed else "")


def local_time(moment: str | datetime | None, timezone: str) -> str:
    """An instant (stored text or not) as the campaign's people read it: `2026-11-26 11:00 CET`."""
    if not moment:
        return ""
    instant = from_iso(moment) if isinstance(moment, str) else moment
    return f"{instant.astimezone(campaigns.zone(timezone)):%Y-%m-%d %H:%M %Z}"


def decide(store: Store, campaign_name: str, handles: list[str], decision: str, *,
           grace_seconds: int = 0, offer_undo: bool = False) -> Decided:
    """Apply one decision to every named application with its emails; all or nothing.

    A front end that offers undo (the app's `u`) passes `offer_undo`: an accept or a reject
    then holds its emails for the workspace's undo grace instead of `grace_seconds`.
    """
    if grace_seconds < 0:
        raise UserError(f"The undo grace period cannot be negative (got {grace_seconds}).")
    with acting(store, MOVE) as db:
        campaign = campaigns.get(db, campaign_name)
        grace = undo_grace(db) if offer_undo and decision in stages.IRREVERSIBLE else grace_seconds
        people = influencers.by_handles(db, handles)
        moves = applications.decide(db, campaign, people, decision, now=store.clock.now(),
                                    actor=store.actor, compose=Composer(db, campaign, store.actor),
                                    grace_seconds=grace)
    headline = f"{PAST[decision]} {plural(len(moves), 'application')} in {campaign_name!r}"
    done = Decided(sentence=_summed(headline, moves), moves=moves, decision=decision, grace=grace)
    return woke(store, done, _due(moves))


def undo(store: Store, campaign_name: str, handle: str) -> Undone:
    """Take back the last decision on one application while its email has not left."""
    with acting(store, MOVE) as db:
        campaign = campaigns.get(db, campaign_name)
        person = influencers.get_by_handle(db, handle)
        application = applications.by_influencer(db, campaign.id, [person["id"]]).get(person["id"])
        if application is None:
            raise UserError(f"@{person['handle']} is not in the pipeline of {campaign.name!r}.")
        move = applications.undo(db, application["id"], now=store.clock.now(), actor=store.actor)
    return Undone(sentence=_summed(f"Undid the last decision on @{move.handle}", [move]), moves=[move])


def undo_many(store: Store, campaign_name: str, handles: list[str]) -> UndoneMany:
    """Undo each handle's last decision on its own, so one whose email has left keeps none back."""
    undone, refusals = 0, []
    for handle in handles:
        try:
            undo(store, campaign_name, handle)
            undone += 1
        except UserError as error:
            refusals.append(error.sentence)
    sentence = f"Undid {plural(undone, 'decision')}." + (f" {refusals[0]}" if refusals else "")
    return UndoneMany(sentence=sentence, warning=bool(refusals), undone=undone, refusals=refusals)


def preview_collaboration(store: Store, campaign_name: str) -> CollaborationPreview:
    """Who the collaboration would take in and turn down; refused once it has started, or for a role
    that may not start it (so the question is never asked of someone who cannot answer it)."""
    permit(store, MOVE)
    db = store.reader()
    campaign = campaigns.get(db, campaign_name)
    if campaign.collaborated_at:
        raise UserError(f"The collaboration of {campaign.name!r} already started on "
                        f"{campaign.collaborated_at}; it runs only once.")
    counts = by_stage(db, campaign.id)
    return CollaborationPreview(campaign.name, counts[stages.SIGNED] + counts[stages.IN_CAMPAIGN],
                                sum(counts[s] for s in stages.UNDECIDED))


def collaborate(store: Store, campaign_name: str) -> Collaborated:
    """The one-time "start collaboration", with congratulations and bummer emails."""
    with acting(store, MOVE) as db:
        campaign = campaigns.get(db, campaign_name)
        moves = applications.collaborate(db, campaign, now=store.clock.now(), actor=store.actor,
                                         compose=Composer(db, campaign, store.actor))
    joined = sum(move.via == "collaborate-in" for move in moves)
    headline = (f"Started the collaboration of {campaign.name!r}: {joined} in campaign, "
                f"{len(moves) - joined} rejected")
    return woke(store, Collaborated(sentence=_summed(headline, moves), moves=moves), _due(moves))


def housekeeping(store: Store, actor: str = "callsheet") -> dict:
    """Close campaigns whose time has come and expire overdue agreements (the daemon's chores)."""
    now = store.clock.now()
    with store.write() as db:
        closed = applications.close_due_campaigns(db, now=now, actor=actor)
        expired: list[Move] = []
        due = list(db.query("SELECT id FROM campaigns WHERE id IN (SELECT campaign_id FROM applications "
                            "WHERE stage = ? AND agreement_deadline <= ?)",
                            [stages.AGREEMENT_SENT, store.now_iso()]))
        for row in due:
            campaign = campaigns.get_by_id(db, row["id"])
            expired += applications.expire_agreements(db, campaign, now=now, actor=actor,
                                                      compose=Composer(db, campaign, actor))
    return {"closed": closed, "expired": [m.handle for m in expired]}


def undo_grace(db: Database) -> int:
    """Seconds an accept or reject made in the app waits before its email may leave."""
    row = db.execute("SELECT value FROM settings WHERE key = ?", (GRACE_SETTING,)).fetchone()
    try:
        return max(0, int(row[0])) if row else DEFAULT_APP_GRACE
    except ValueError:
        return DEFAULT_APP_GRACE
