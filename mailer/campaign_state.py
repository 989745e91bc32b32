"""Pausing and resuming a campaign: the actions the CLI and the app both call.

A person's pause and the circuit breaker's are one state (`paused`, with its reason): a
paused campaign plans and sends nothing and keeps its queue; resuming sends it again,
spreading what fell due meanwhile over the window, as the retime sweep does.
"""

from __future__ import annotations

from dataclasses import dataclass

from mailer import retime
from store import campaigns
from store.campaigns import state_text
from store.db import Store
from store.errors import UserError
from store.outbox import one_line
from store.wording import plural


@dataclass(frozen=True)
class StateChanged:
    """What a pause or a resume did, as the sentence the CLI prints and the app notifies."""

    campaign: str
    state: str
    retimed: int = 0

    def sentence(self) -> str:
        if self.state.startswith("paused"):
            return (f"{self.campaign} is {self.state}: nothing is planned or sent for it until "
                    f"`callsheet campaign resume {self.campaign}`.")
        moved = (f"; {plural(self.retimed, 'message')} due while it was paused spread over its window"
                 if self.retimed else "")
        return f"{self.campaign} is open again: its queued mail goes out{moved}."


def pause(store: Store, name: str, note: str = "") -> StateChanged:
    """Pause an open campaign: the reason names who paused it (and why, with `note`)."""
    with store.write() as db:
        store.require("manage_campaign")
        campaign = campaigns.get(db, name)
        if campaign["status"] != "open":
            raise UserError(f"{campaign['name']} is {state_text(campaign)}; only an open campaign can be "
                            f"paused.")
        reason = f"Paused by {store.actor}" + (f": {one_line(note)}" if note.strip() else "")
        campaigns.pause(db, campaign["id"], reason, now=store.now_iso(), actor=store.actor)
        return StateChanged(campaign["name"], state_text(campaigns.get_by_id(db, campaign["id"])))


def resume(store: Store, name: str) -> StateChanged:
    """Resume a paused campaign, whoever paused it (a person or the circuit breaker)."""
    with store.write() as db:
        store.require("manage_campaign")
        campaign = campaigns.get(db, name)
        if campaign["status"] != "paused":
            raise UserError(f"{campaign['name']} is {campaign['status']}, not paused; there is nothing to "
                            f"resume.")
        campaigns.resume(db, campaign, now=store.now_iso(), actor=store.actor)
        moved = retime.after_pause(db, campaigns.get_by_id(db, campaign["id"]), store.clock.now())
        return StateChanged(campaign["name"], "open", moved)

