"""Building pipeline test data directly in the store (no import step needed)."""

from __future__ import annotations

import json
from typing import Any

from store import campaigns
from store.campaigns import Campaign, CampaignSpec
from store.db import Store


def add_influencer(store: Store, handle: str, **fields: Any) -> int:
    """Insert one influencer; fields use column names (custom as a dict)."""
    row = {"name": handle.title(), "first_name": handle.title(), "email": f"{handle}@example.com",
           "followers": 20_000, "engagement_rate": 4.0, "language": "en", **fields}
    row["custom"] = json.dumps(row.get("custom", {}))
    for column in ("tags", "platforms"):
        row[column] = json.dumps(row.get(column, []))
    now = store.now_iso()
    columns = ["handle", *row, "created_at", "updated_at"]
    with store.write() as db:
        cursor = db.conn.execute(
            f"INSERT INTO influencers ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})",
            [handle, *row.values(), now, now])
    return int(cursor.lastrowid)


def add_people(store: Store, count: int, prefix: str = "p", **fields: Any) -> list[str]:
    handles = [f"{prefix}{n:04d}" for n in range(count)]
    for handle in handles:
        add_influencer(store, handle, **fields)
    return handles


def make_campaign(store: Store, name: str = "Spring", **options: Any) -> Campaign:
    spec = CampaignSpec(name=name, sender=options.pop("sender", "casting@brand.example"),
                        sender_name=options.pop("sender_name", "Brand Casting"), **options)
    with store.write() as db:
        return campaigns.create(db, spec, actor=store.actor, now=store.now_iso())


def stage_of(store: Store, campaign: str, handle: str) -> str | None:
    row = store.writer.execute(
        """SELECT a.stage FROM applications a JOIN influencers i ON i.id = a.influencer_id
           JOIN campaigns c ON c.id = a.campaign_id WHERE c.name = ? AND i.handle = ?""",
        (campaign, handle)).fetchone()
    return row[0] if row else None


def outbox(store: Store, **where: Any) -> list[dict]:
    clause = " AND ".join(f"{k} = ?" for k in where) or "1"
    return list(store.writer.query(f"SELECT * FROM messages WHERE {clause} ORDER BY id",
                                   list(where.values())))


def table_counts(store: Store) -> dict[str, int]:
    """Rows per table; a refusal's own audit event aside (it is all a refusal writes)."""
    db = store.writer
    counts = {table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
              for table in ("applications", "messages", "templates", "triggers")}
    counts["audit_events"] = db.execute(
        "SELECT count(*) FROM audit_events WHERE action != 'refused'").fetchone()[0]
    return counts
