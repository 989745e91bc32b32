"""Marking what a reply says: `callsheet mark HANDLE positive` and the Inbox's `+`/`-`/`0` alike."""

from __future__ import annotations

from dataclasses import dataclass

from mailer.actions.outcome import Outcome, acting
from store import influencers, reply_marks
from store.db import Store


@dataclass(frozen=True, kw_only=True)
class ReplyMarked(Outcome):
    """Their latest reply now carries `signal`, set by the operator (`previous`: what it was)."""

    influencer: str
    message_row: int
    signal: str
    previous: str


def _sentence(handle: str, mark: reply_marks.Mark) -> str:
    if mark.was_auto_reply:
        return f"Marked {handle}'s latest reply {mark.signal}; it counts as a reply now, not an auto-reply."
    if mark.previous == mark.signal:
        return f"{handle}'s latest reply stays {mark.signal}, now as your mark."
    return f"Marked {handle}'s latest reply {mark.signal} (was {mark.previous})."


def mark_reply(store: Store, handle: str, signal: str, campaign_id: int | None = None) -> ReplyMarked:
    """The operator's mark on the influencer's latest reply (in one campaign, when given); no later
    guess replaces it."""
    with acting(store, "triage_inbox") as db:
        influencer = influencers.get_by_handle(db, handle)
        mark = reply_marks.set_mark(db, influencer["id"], signal, campaign_id=campaign_id,
                                    now=store.now_iso(), actor=store.actor)
    return ReplyMarked(sentence=_sentence(influencer["handle"], mark), influencer=influencer["handle"],
                       message_row=mark.message_row, signal=mark.signal, previous=mark.previous)


def mark_reply_of(store: Store, influencer_id: int, signal: str,
                  campaign_id: int | None = None) -> ReplyMarked:
    """The Inbox's keys: the same, for the conversation on screen (the campaign it is filtered to)."""
    handle = influencers.get(store.reader(), influencer_id)["handle"]
    return mark_reply(store, handle, signal, campaign_id)
