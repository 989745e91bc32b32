"""The side panel of a conversation: contact data, custom variables, notes, and each campaign's state."""

from __future__ import annotations

from sqlite_utils import Database

from store import influencers, notes


def applications(db: Database, influencer_id: int) -> list[dict]:
    """Stage, fee and agreement per campaign, newest first."""
    return list(db.query(
        """SELECT a.id, a.campaign_id, c.name AS campaign, c.currency, a.source, a.stage, a.fee,
                  a.agreement_state, a.agreement_deadline, a.updated_at
           FROM applications a JOIN campaigns c ON c.id = a.campaign_id
           WHERE a.influencer_id = ? ORDER BY a.updated_at DESC, a.id DESC""",
        [influencer_id],
    ))


def card(db: Database, influencer_id: int) -> dict:
    """Everything the side panel shows about one influencer."""
    return {
        "influencer": influencers.get(db, influencer_id),
        "applications": applications(db, influencer_id),
        "notes": notes.for_influencer(db, influencer_id),
    }
