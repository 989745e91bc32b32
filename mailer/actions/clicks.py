"""A tracked link's one verb: an influencer follows it, and the click is recorded before the redirect.

`serve` opens the store as `callsheet-web` (store/operators.py), which may record this and
nothing more; the audit trail names the influencer the message went to. The token names
the message, the id names a registered target: any registered target in any of our messages
is followed and counted against the message whose token it carries.
"""

from __future__ import annotations

from dataclasses import dataclass

from mailer.actions.outcome import Outcome, acting
from store import audit, clicks, influencers, unsubscribes
from store.casting import actor_for
from store.db import Store
from store.operators import FOLLOW_TRACKED_LINK


@dataclass(frozen=True, kw_only=True)
class LinkFollowed(Outcome):
    """Where the visitor goes (`url`), or None: an unknown token or target, nothing recorded."""

    url: str | None
    click_id: int | None = None


def _unknown() -> LinkFollowed:
    return LinkFollowed(sentence="This link is not one of ours, or it was mistyped.", url=None, warning=True)


def follow_link(store: Store, token: str, target: int) -> LinkFollowed:
    """Record a click on `target` in the message `token` names and say where to send the visitor."""
    with acting(store, FOLLOW_TRACKED_LINK) as db:
        message = unsubscribes.message_by_token(db, token)
        url = clicks.target_url(db, target)
        if message is None or url is None:
            return _unknown()
        now = store.now_iso()
        click_id = clicks.record(db, message, target, now)
        handle = influencers.get(db, message["influencer_id"])["handle"]
        audit.record(db, at=now, actor=actor_for(handle), action="message.click", entity="message",
                     entity_id=message["id"], campaign_id=message["campaign_id"], target=url)
    return LinkFollowed(sentence=f"@{handle} followed {url}.", url=url, click_id=click_id)


def link_target(store: Store, token: str, target: int) -> str | None:
    """Where the link would lead, recording nothing (a read: for HEAD, which link scanners send)."""
    db = store.reader()
    if unsubscribes.message_by_token(db, token) is None:
        return None
    return clicks.target_url(db, target)
