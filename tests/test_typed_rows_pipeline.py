"""The Pipeline's rows and the influencer card cross the store boundary as frozen dataclasses."""

from __future__ import annotations

import dataclasses

import pytest

from store import contact, notes, pipeline_view
from store.clock import from_iso
from store.db import Store
from store.pipeline_view import View
from tests.pipeline_helpers import add_influencer, make_campaign


def _apply(store: Store, influencer_id: int, campaign_id: int, stage: str = "new") -> int:
    now = store.now_iso()
    with store.write() as db:
        cursor = db.conn.execute(
            """INSERT INTO applications (influencer_id, campaign_id, source, stage, created_at, updated_at)
               VALUES (?, ?, 'applied', ?, ?, ?)""", (influencer_id, campaign_id, stage, now, now))
    return int(cursor.lastrowid)


def test_pages_are_application_rows_and_keyset_paging_walks_them(store: Store) -> None:
    campaign = make_campaign(store)
    for n in range(5):
        _apply(store, add_influencer(store, f"p{n}", followers=1000 * n), campaign.id)
    view = View(campaign.id, stages=(), sort="followers")
    now = from_iso(store.now_iso())
    first = pipeline_view.page(store.reader(), view, now, limit=2)
    assert all(isinstance(row, pipeline_view.ApplicationRow) for row in first)
    second = pipeline_view.page(store.reader(), view, now, after=pipeline_view.bound_of(first[-1]), limit=2)
    back = pipeline_view.page(store.reader(), view, now, before=pipeline_view.bound_of(second[0]), limit=2)
    assert [r.handle for r in first + second] == ["p4", "p3", "p2", "p1"]
    assert back == first
    with pytest.raises(dataclasses.FrozenInstanceError):
        first[0].stage = "rejected"  # type: ignore[misc]


def test_the_profile_decodes_tags_and_flags(store: Store) -> None:
    campaign = make_campaign(store)
    person = add_influencer(store, "ana", name="", tags=["beauty", "fr"], bounced=1)
    profile = pipeline_view.profile(store.reader(), _apply(store, person, campaign.id))
    assert (profile.handle, profile.name, profile.tags) == ("ana", "", ("beauty", "fr"))
    assert (profile.bounced, profile.unsubscribed, profile.messages, profile.notes) == (True, False, 0, 0)


def test_the_card_holds_the_person_their_campaigns_and_notes(store: Store) -> None:
    campaign = make_campaign(store)
    person = add_influencer(store, "ana", platforms=["instagram"], custom={"size": "M"})
    _apply(store, person, campaign.id, stage="shortlisted")
    with store.write() as db:
        notes.add(db, person, "Loves the brand.", author="alex", now=store.now_iso())
    card = contact.card(store.reader(), person)
    assert (card.handle, card.platforms, card.tags, card.custom) == ("ana", ("instagram",), (), {"size": "M"})
    standings = [(a.campaign, a.stage, a.currency) for a in card.applications]
    assert standings == [("Spring", "shortlisted", "EUR")]
    assert [n.body for n in card.notes] == ["Loves the brand."]
