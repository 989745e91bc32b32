"""Pipeline actions with their emails: the entry points the command line and the app share.

Each action is one `store.write()` transaction: the role check, the checks of
every application, the rendering of every email (a template error changes
nothing), then the stage changes, outbox rows and audit events together.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database

from mailer.templates import invitation_length, render
from store import applications, campaigns, influencers, stages, triggers
from store.campaigns import zone
from store.clock import from_iso
from store.db import Store
from store.errors import UserError
from store.moves import Email, Move

OVER_LIMIT = "over_limit"
DEFAULT_APP_GRACE = 30
GRACE_SETTING = "undo_grace_seconds"


class Composer:
    """Turns a pipeline event into the email its trigger sends, rendered for one influencer."""

    def __init__(self, db: Database, campaign: dict, actor: str) -> None:
        self.db, self.campaign, self.actor = db, campaign, actor
        self._sender: tuple[str, str] | None = None

    def sender(self) -> tuple[str, str]:
        """(address, display name): the campaign's sender, else the acting operator's."""
        if self._sender is None:
            if self.campaign.get("sender_email"):
                self._sender = (self.campaign["sender_email"], self.campaign.get("sender_name") or "")
            else:
                row = self.db.execute("SELECT from_address, display_name FROM operators WHERE login = ?",
                                      (self.actor,)).fetchone()
                if not row or not row[0]:
                    raise UserError(
                        f"Campaign {self.campaign['name']!r} has no sender and operator {self.actor} has no "
                        f"from-address; set one with `callsheet operator add {self.actor} --from EMAIL`.")
                self._sender = (row[0], row[1] or "")
        return self._sender

    def extra_for(self, application: dict, sender: tuple[str, str]) -> dict:
        """The application's tokens (fee, agreement deadline in local time, stage) and the sender."""
        deadline = application.get("agreement_deadline")
        local = (from_iso(deadline).astimezone(zone(self.campaign.get("timezone") or "UTC"))
                 .strftime("%Y-%m-%d %H:%M") if deadline else None)
        return {"fee": application.get("fee"), "agreementDeadline": local,
                "stage": stages.label(application.get("stage")),
                "sender": {"email": sender[0], "name": sender[1]}}

    def __call__(self, event: str, influencer: dict, application: dict) -> Email | None:
        kind = triggers.template_for(self.db, self.campaign["id"], event)
        if kind is None:
            return None
        address, name = self.sender()
        if not influencer.get("email"):
            return Email(kind, "", "", "", None, None, address, name)
        extra = self.extra_for(application, (address, name))
        rendered = render(self.db, self.campaign, kind, influencer, extra=extra)
        status, flags = "queued", ()
        if kind == "invitation":
            if invitation_length(rendered) > (self.campaign.get("invite_limit") or 300):
                status, flags = "planned", (OVER_LIMIT,)
            elif self.campaign.get("moderation"):
                status = "planned"
        return Email(kind, rendered.language, rendered.subject, rendered.body, rendered.body_html,
                     influencer["email"], address, name, status, flags)


def _begin(store: Store, db: Database, campaign_name: str, action: str) -> dict:
    store.require(action)
    return campaigns.get(db, campaign_name)


def invite(store: Store, campaign_name: str, handles: list[str]) -> list[Move]:
    """Add influencers to a campaign's pipeline as invited, with the invitation trigger."""
    with store.write() as db:
        campaign = _begin(store, db, campaign_name, "move_application")
        people = influencers.by_handles(db, handles)
        return applications.invite(db, campaign, people, now=store.clock.now(), actor=store.actor,
                                   compose=Composer(db, campaign, store.actor))


def apply(store: Store, campaign_name: str, handle: str, fee: float | None = None) -> Move:
    """Record an application (or an invitee's yes), checked against the campaign's minimums."""
    with store.write() as db:
        campaign = _begin(store, db, campaign_name, "move_application")
        person = influencers.get_by_handle(db, handle)
        return applications.apply(db, campaign, person, now=store.clock.now(), actor=store.actor,
                                  compose=Composer(db, campaign, store.actor), fee=fee)


@dataclass(frozen=True)
class DecisionCheck:
    """Who a decision may move (handles) and why it may not move the others (one clause each)."""

    ready: list[str]
    problems: list[str]

    def refusal(self) -> str:
        """The sentence that refuses the whole decision."""
        return applications.refusal(self.problems)


def check_decision(store: Store, campaign_name: str, handles: list[str], decision: str) -> DecisionCheck:
    """What `decision` would do to each named application, by the same rules `decide` applies."""
    store.require("move_application")
    db = store.reader()
    campaign = campaigns.get(db, campaign_name)
    people = influencers.by_handles(db, handles)
    plan = applications.sort_decision(db, campaign, people, decision, store.clock.now())
    ready = [person["handle"] for person, _application, _target in plan.moves]
    problems = list(plan.problems)
    if any(triggers.template_for(db, campaign["id"], target) for _person, _app, target in plan.moves):
        try:  # the email needs a sender: say so now rather than after the confirmation
            Composer(db, campaign, store.actor).sender()
        except UserError as error:
            return DecisionCheck([], [error.sentence.rstrip(".")])
    return DecisionCheck(ready, problems)


def decide(store: Store, campaign_name: str, handles: list[str], decision: str, *,
           grace_seconds: int = 0) -> list[Move]:
    """Apply one decision to every named application with its emails; all or nothing."""
    if grace_seconds < 0:
        raise UserError(f"The undo grace period cannot be negative (got {grace_seconds}).")
    with store.write() as db:
        campaign = _begin(store, db, campaign_name, "move_application")
        people = influencers.by_handles(db, handles)
        return applications.decide(db, campaign, people, decision, now=store.clock.now(),
                                   actor=store.actor, compose=Composer(db, campaign, store.actor),
                                   grace_seconds=grace_seconds)


def undo(store: Store, campaign_name: str, handle: str) -> Move:
    """Take back the last decision on one application while its email has not left."""
    with store.write() as db:
        campaign = _begin(store, db, campaign_name, "move_application")
        person = influencers.get_by_handle(db, handle)
        application = applications.by_influencer(db, campaign["id"], [person["id"]]).get(person["id"])
        if application is None:
            raise UserError(f"@{person['handle']} is not in the pipeline of {campaign['name']!r}.")
        return applications.undo(db, application["id"], now=store.clock.now(), actor=store.actor)


def collaborate(store: Store, campaign_name: str) -> list[Move]:
    """The one-time "start collaboration", with congratulations and bummer emails."""
    with store.write() as db:
        campaign = _begin(store, db, campaign_name, "move_application")
        return applications.collaborate(db, campaign, now=store.clock.now(), actor=store.actor,
                                        compose=Composer(db, campaign, store.actor))


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
