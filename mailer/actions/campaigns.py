"""Campaign actions: create one, pause it, resume it; the CLI and the app both call them.

A person's pause and the circuit breaker's are one state (`paused`, with its reason): a
paused campaign plans and sends nothing and keeps its queue; resuming sends it again,
spreading what fell due meanwhile over the window, as the retime sweep does.
"""

from __future__ import annotations

from dataclasses import dataclass

from mailer.actions.outcome import Outcome, acting, woke
from mailer.outreach import retime
from store import campaigns
from store.campaigns import Campaign, CampaignSpec, state_text
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


def create(store: Store, spec: CampaignSpec) -> CampaignCreated:
    """Create a casting call from `spec`, checked whole before anything is stored."""
    with acting(store, MANAGE) as db:
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


def resume(store: Store, name: str) -> StateChanged:
    """Resume a paused campaign, whoever paused it (a person or the circuit breaker)."""
    with acting(store, MANAGE) as db:
        campaign = campaigns.get(db, name)
        if campaign.status != "paused":
            raise UserError(f"{campaign.name} is {campaign.status}, not paused; there is nothing to "
                            f"resume.")
        campaigns.resume(db, campaign, now=store.now_iso(), actor=store.actor)
        moved = retime.after_pause(db, campaigns.get_by_id(db, campaign.id), store.clock.now())
        waiting = campaigns.queued_mail(db, campaign.id)
    return woke(store, StateChanged.of(campaign.name, "open", moved), waiting)
