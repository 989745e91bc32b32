"""The append-only audit trail: who did what to which record, when."""

from __future__ import annotations

import json
from typing import Any

from store.database import Database


def record(
    db: Database,
    *,
    at: str,
    actor: str,
    action: str,
    entity: str,
    entity_id: int | None = None,
    campaign_id: int | None = None,
    **detail: Any,
) -> None:
    """Append one event; call inside the transaction of the change it describes."""
    db.conn.execute(
        """INSERT INTO audit_events (at, actor, action, entity, entity_id, campaign_id, detail)
           VALUES (?, ?, ?, ?, ?, ?, ?)""",
        (at, actor, action, entity, entity_id, campaign_id, json.dumps(detail, default=str)),
    )


def events(db: Database, campaign_id: int | None = None, limit: int = 1000) -> list[dict]:
    where, params = ("WHERE campaign_id = ?", [campaign_id]) if campaign_id else ("", [])
    rows = db.query(
        f"SELECT * FROM audit_events {where} ORDER BY at, id LIMIT ?", [*params, limit]
    )
    return [{**row, "detail": json.loads(row["detail"])} for row in rows]


def recent(db: Database, campaign_id: int | None = None, limit: int = 1000) -> list[dict]:
    """The latest `limit` events (of one campaign, or all), oldest first."""
    where, params = ("WHERE campaign_id = ?", [campaign_id]) if campaign_id else ("", [])
    rows = db.query(
        f"SELECT * FROM (SELECT * FROM audit_events {where} ORDER BY id DESC LIMIT ?) ORDER BY id",
        [*params, limit],
    )
    return [{**row, "detail": json.loads(row["detail"])} for row in rows]
