"""Campaign actions: create, edit, pause, resume, close and reopen; the CLI and the app call them.

A person's pause and the circuit breaker's are one state (`paused`, with its reason): a
paused campaign plans and sends nothing and keeps its queue; resuming sends it again,
spreading what fell due meanwhile over the window, as the retime sweep does.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from mailer.actions.outcome import Outcome, acting, woke
from store import audit, campaign_edit, campaigns, operators, outreach
from store.campaigns import Campaign, CampaignSpec, state_text, zone
from store.clock import from_iso
from store.database import Database
from store.db import Store
from store.errors import UserError
from store.outbox.queueing import one_line
from store.wording import plural

MANAGE = "manage_campaign"


@dataclass(frozen=True, kw_only=True)
class CampaignCreated(Outcome):
    """A new casting call, as stored (its windows parsed)."""

    campaign: Campaign


@dataclass(frozen=True, kw_only=True)
class StateChanged(Outcome):
    """What a pause or a resume did: the campaign's state now, and how much mail was retimed."""

    campaign: str
    state: str
    retimed: int = 0

    @classmethod
    def of(cls, campaign: str, state: str, retimed: int = 0) -> StateChanged:
        return cls(sentence=_state_sentence(campaign, state, retimed), campaign=campaign, state=state,
                   retimed=retimed)


def _state_sentence(campaign: str, state: str, retimed: int) -> str:
    if state.startswith("paused"):
        return (f"{campaign} is {state}: nothing is planned or sent for it until "
                f"`callsheet campaign resume {campaign}`.")
    moved = (f"; {plural(retimed, 'message')} due while it was paused spread over its window"
             if retimed else "")
    return f"{campaign} is open again: its queued mail goes out{moved}."


@dataclass(frozen=True, kw_only=True)
class CampaignEdited(Outcome):
    """What an edit changed ({setting: (before, after)}) and what that did to mail already planned."""

    campaign: Campaign
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    retimed: int = 0
    flagged: int = 0
    unflagged: int = 0


def _check_segment(db: Database, segment: str) -> None:
    """A segment naming a saved segment that does not exist is refused now, not on planning day."""
    if segment.strip() and (why := outreach.unreadable_segment(db, segment)):
        raise UserError(why)


def create(store: Store, spec: CampaignSpec) -> CampaignCreated:
    """Create a casting call from `spec`, checked whole before anything is stored."""
    with acting(store, MANAGE) as db:
        _check_segment(db, spec.segment)
        created = campaigns.create(db, spec, actor=store.actor, now=store.now_iso())
    windows = ", ".join(str(window) for window in created.windows)
    return CampaignCreated(sentence=f"Created campaign {created.name!r} ({created.timezone}, {windows}, "
                                    f"cap {created.daily_cap}/day).", campaign=created)


def pause(store: Store, name: str, note: str = "") -> StateChanged:
    """Pause an open campaign: the reason names who paused it (and why, with `note`)."""
    with acting(store, MANAGE) as db:
        campaign = campaigns.get(db, name)
        if campaign.status != "open":
            raise UserError(f"{campaign.name} is {state_text(campaign)}; only an open campaign can be "
                            f"paused.")
        reason = f"Paused by {store.actor}" + (f": {one_line(note)}" if note.strip() else "")
        campaigns.pause(db, campaign.id, reason, now=store.now_iso(), actor=store.actor)
        return StateChanged.of(campaign.name, state_text(campaigns.get_by_id(db, campaign.id)))


def _retime():  # noqa: ANN202  the module, loaded on first use
    # The planner behind it is a tenth of the app's start-up, and only a resume or an edit needs it.
    from mailer.outreach import retime

    return retime


def resume(store: Store, name: str) -> StateChanged:
    """Resume a paused campaign, whoever paused it (a person or the circuit breaker)."""
    with acting(store, MANAGE) as db:
        campaign = campaigns.get(db, name)
        if campaign.status != "paused":
            raise UserError(f"{campaign.name} is {campaign.status}, not paused; there is nothing to "
                            f"resume.")
        campaigns.resume(db, campaign, now=store.now_iso(), actor=store.actor)
        moved = _retime().after_pause(db, campaigns.get_by_id(db, campaign.id), store.clock.now())
        waiting = campaigns.queued_mail(db, campaign.id)
    return woke(store, StateChanged.of(campaign.name, "open", moved), waiting)


def edit(store: Store, name: str, given: dict[str, Any]) -> CampaignEdited:
    """Change the settings `given` (CampaignSpec field -> value) of campaign `name`, validated as
    `create` validates them, and fit the mail already planned to them: new windows, zone or cap
    re-time unsent invitations; a new limit flags or unflags them."""
    with acting(store, MANAGE) as db:
        campaign = campaigns.get(db, name)
        _check_edit(db, campaign, given, store.now_iso())
        done = campaign_edit.edit(db, campaign, given, actor=store.actor, now=store.now_iso())
        edited = done.campaign
        moved = (_retime().after_edit(db, edited, store.clock.now())
                 if done.changed("windows", "timezone", "daily_cap", "opens_at", "closes_at") else 0)
        flagged, unflagged = (campaign_edit.recheck_limit(db, edited, now=store.now_iso())
                              if done.changed("invite_limit") else (0, 0))
        if flagged or unflagged:
            audit.record(db, at=store.now_iso(), actor=store.actor, action="invitation.limit_check",
                         entity="campaign", entity_id=edited.id, campaign_id=edited.id,
                         limit=edited.invite_limit, flagged=flagged, unflagged=unflagged)
        waiting = campaigns.queued_mail(db, edited.id) if moved or unflagged else 0
    outcome = CampaignEdited(
        sentence=_edit_sentence(campaign.name, done, moved, flagged, unflagged), campaign=edited,
        changes=done.changes, retimed=moved, flagged=flagged, unflagged=unflagged)
    return woke(store, outcome, waiting)


def _check_edit(db: Database, campaign: Campaign, given: dict[str, Any], now: str) -> None:
    """What an edit may not do that a new campaign may: move a closing time into the past or on a
    closed campaign (close and reopen say what they do to candidates and mail)."""
    if "segment" in given:
        _check_segment(db, given["segment"] or "")
    closes = given.get("closes")
    if closes is None:
        return
    if campaign.status == "closed":
        raise UserError(f"{campaign.name} is closed; give it a new closing time with "
                        f"`callsheet campaign reopen {campaign.name} --closes {closes}`.")
    closes_at = campaigns.validate(_respec(campaign, given))["closes_at"]
    if closes_at and closes_at <= now:
        raise UserError(f"--closes {closes!r} is already past; to stop taking candidates now use "
                        f"`callsheet campaign close {campaign.name}`.")


def _respec(campaign: Campaign, given: dict[str, Any]) -> CampaignSpec:
    return replace(campaign_edit.spec_of(campaign), **given)


_OPTION_NAMES = {"sender_email": "sender", "opens_at": "opens", "closes_at": "closes",
                 "windows": "window"}


def _edit_sentence(name: str, done: campaign_edit.Edit, moved: int, flagged: int, unflagged: int) -> str:
    if not done.changes:
        return f"{name} already has those settings; nothing changed."
    changed = ", ".join(f"--{_OPTION_NAMES.get(column, column).replace('_', '-')}"
                        for column in done.changes)
    effects = []
    if done.changed("windows", "timezone", "daily_cap", "opens_at", "closes_at"):
        effects.append(f"{plural(moved, 'unsent invitation')} re-timed to fit" if moved
                       else "every unsent invitation already fits")
    if done.changed("invite_limit"):
        effects.append(f"{plural(flagged, 'invitation')} now over the limit and held, "
                       f"{unflagged} released")
    if done.changed("segment"):
        effects.append("the new segment applies from the next planning day; invitations already "
                       "planned stay")
    tail = "; ".join(effects)
    return f"Edited {done.campaign.name}: {changed}" + (f"; {tail}." if tail else ".")


def close(store: Store, name: str) -> StateChanged:
    """Close a campaign now, as its closing time would: no new candidates, its unsent outreach skipped."""
    with acting(store, MANAGE) as db:
        campaign = campaigns.get(db, name)
        if campaign.status == "closed":
            raise UserError(f"{campaign.name} is already closed.")
        campaign_edit.close(db, campaign.id, now=store.now_iso(), actor=store.actor,
                            closes_at=campaign.closes_at)
        skipped = sum(count for campaign_id, count in outreach.cancel_closed(db, store.now_iso())
                      if campaign_id == campaign.id)
    cancelled = f"; {plural(skipped, 'unsent outreach message')} skipped" if skipped else ""
    return StateChanged(
        sentence=f"{campaign.name} is closed: it takes no new candidates{cancelled}. Reopen it with "
                 f"`callsheet campaign reopen {campaign.name} --closes DATETIME`.",
        campaign=campaign.name, state="closed")


def reopen(store: Store, name: str, closes: str) -> StateChanged:
    """Open a closed campaign again until `closes`; refused once its collaboration started."""
    with acting(store, MANAGE) as db:
        campaign = campaigns.get(db, name)
        reopened = campaign_edit.reopen(db, campaign, closes, now=store.now_iso(), actor=store.actor)
    return StateChanged(
        sentence=f"{reopened.name} is open again until {_local(reopened, reopened.closes_at)}: it takes "
                 f"candidates and "
                 f"plans invitations from the next planning day.",
        campaign=reopened.name, state="open")


def _local(campaign: Campaign, instant: str | None) -> str:
    """A stored UTC instant as the campaign's people read it: in its zone, zone named."""
    if not instant:
        return "no closing time"
    return f"{from_iso(instant).astimezone(zone(campaign.timezone)):%Y-%m-%d %H:%M %Z}"


def settings_refusal(store: Store) -> str:
    """Why this store's actor may only look at campaign settings, or "" when they may change them."""
    if store.may(MANAGE):
        return ""
    role = operators.role_of(store.reader(), store.actor)
    article = "an" if role[0] in "aeiou" else "a"
    return f"{store.actor} is {article} {role}: only managers change campaign settings."
