"""Personal data leaving the database: always on the audit trail (the action lets only managers)."""

from __future__ import annotations

from store import audit
from store.database import Database
from store.pipeline_view import addresses_in_campaign


def addresses(db: Database, campaign_id: int, *, actor: str, now: str, destination: str) -> list[dict]:
    """The rows of an address export, recorded as released to `destination` (call in the write)."""
    rows = addresses_in_campaign(db, campaign_id)
    audit.record(db, at=now, actor=actor, action="export.addresses", entity="campaign",
                 entity_id=campaign_id, campaign_id=campaign_id, rows=len(rows), destination=destination)
    return rows
