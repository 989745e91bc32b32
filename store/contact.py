"""The side panel of a conversation: contact data, custom variables, notes, and each campaign's state."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Self

from store import influencers, notes
from store.database import Database


@dataclass(frozen=True, slots=True)
class CampaignStanding:
    """Where one of the influencer's applications stands: stage, source, fee and agreement."""

    application_id: int
    campaign_id: int
    campaign: str
    currency: str
    source: str
    stage: str
    fee: float | None
    agreement_state: str | None
    agreement_deadline: str | None
    updated_at: str

    @classmethod
    def from_row(cls, row: dict) -> Self:
        return cls(application_id=row["id"], campaign_id=row["campaign_id"], campaign=row["campaign"],
                   currency=row["currency"], source=row["source"], stage=row["stage"], fee=row["fee"],
                   agreement_state=row["agreement_state"], agreement_deadline=row["agreement_deadline"],
                   updated_at=row["updated_at"])


@dataclass(frozen=True, slots=True)
class CardNote:
    """A note on the card: who wrote it, when, and what."""

    id: int
    author: str
    body: str
    created_at: str

    @classmethod
    def from_row(cls, row: dict) -> Self:
        return cls(id=row["id"], author=row["author"], body=row["body"], created_at=row["created_at"])


@dataclass(frozen=True, slots=True)
class InfluencerCard:
    """Everything the side panel shows about one influencer."""

    influencer_id: int
    handle: str
    name: str
    email: str | None
    platforms: tuple[str, ...]
    followers: int | None
    engagement_rate: float | None
    country: str | None
    language: str | None
    tags: tuple[str, ...]
    bounced: bool
    bounce_reason: str | None
    unsubscribed: bool
    first_name: str = ""
    address: str | None = None
    bookmarked: bool = False
    custom: dict[str, Any] = field(default_factory=dict)
    applications: tuple[CampaignStanding, ...] = ()
    notes: tuple[CardNote, ...] = ()

    @classmethod
    def from_row(cls, person: dict, applications: Iterable[CampaignStanding] = (),
                 notes: Iterable[CardNote] = ()) -> Self:
        """From a decoded `influencers` row (`influencers.decode`), with its applications and notes."""
        return cls(influencer_id=person["id"], handle=person["handle"], name=person["name"] or "",
                   email=person["email"], platforms=tuple(person["platforms"] or ()),
                   followers=person["followers"], engagement_rate=person["engagement_rate"],
                   country=person["country"], language=person["language"], tags=tuple(person["tags"] or ()),
                   bounced=bool(person["bounced"]), bounce_reason=person["bounce_reason"],
                   unsubscribed=bool(person["unsubscribed"]), first_name=person["first_name"] or "",
                   address=person["address"], bookmarked=bool(person["bookmarked"]),
                   custom=dict(person["custom"] or {}), applications=tuple(applications),
                   notes=tuple(notes))

    def to_json(self) -> dict[str, Any]:
        """The whole card as `influencer show --json` prints it: notes counted, not copied."""
        return {"handle": self.handle, "name": self.name, "first_name": self.first_name,
                "email": self.email, "address": self.address, "platforms": list(self.platforms),
                "followers": self.followers, "engagement_rate": self.engagement_rate,
                "country": self.country, "language": self.language, "tags": list(self.tags),
                "variables": dict(self.custom), "unsubscribed": self.unsubscribed, "bounced": self.bounced,
                "bounce_reason": self.bounce_reason, "bookmarked": self.bookmarked,
                "campaigns": [{"campaign": a.campaign, "stage": a.stage, "source": a.source, "fee": a.fee,
                               "currency": a.currency, "agreement_state": a.agreement_state,
                               "agreement_deadline": a.agreement_deadline} for a in self.applications],
                "notes": len(self.notes)}


def applications(db: Database, influencer_id: int) -> list[CampaignStanding]:
    """Stage, fee and agreement per campaign, newest first."""
    return [CampaignStanding.from_row(row) for row in db.query(
        """SELECT a.id, a.campaign_id, c.name AS campaign, c.currency, a.source, a.stage, a.fee,
                  a.agreement_state, a.agreement_deadline, a.updated_at
           FROM applications a JOIN campaigns c ON c.id = a.campaign_id
           WHERE a.influencer_id = ? ORDER BY a.updated_at DESC, a.id DESC""",
        [influencer_id],
    )]


def card(db: Database, influencer_id: int) -> InfluencerCard:
    """Everything the side panel shows about one influencer."""
    return InfluencerCard.from_row(
        influencers.get(db, influencer_id), applications(db, influencer_id),
        (CardNote.from_row(row) for row in notes.for_influencer(db, influencer_id)))
