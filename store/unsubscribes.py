"""Unsubscribed influencers: marked from a request (mail, one-click token, by hand) and lifted by hand.

An unsubscribed influencer is never emailed: `enqueue` writes their mail as `skipped`
and the dispatcher skips what was already queued when it claims it.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

from store import audit
from store.database import Database
from store.errors import NotFound, UserError
from store.influencers import by_handles, get_by_handle

# The token is the local part of one of our Message-IDs (hex from uuid4, URL-quoted).
_TOKEN = re.compile(r"[A-Za-z0-9%._~-]{1,200}")


def clean_token(text: str | None) -> str | None:
    """The token as it appears in our Message-IDs, or None when `text` cannot be one."""
    if not text or not _TOKEN.fullmatch(text.strip()):
        return None
    token = unquote(text.strip())
    return token if token and not re.search(r"[@<>\s]", token) else None


def message_by_token(db: Database, token: str | None) -> dict | None:
    """Our outgoing message whose Message-ID's local part is `token`, if it was to an influencer."""
    token = clean_token(token)
    if token is None:
        return None
    # A range on the UNIQUE index: '<token@' up to '<tokenA' ('A' follows '@' in ASCII).
    rows = list(db.query(
        """SELECT id, message_id, influencer_id, campaign_id FROM messages
           WHERE message_id >= ? AND message_id < ? AND direction = 'out' AND influencer_id IS NOT NULL
           ORDER BY id LIMIT 1""",
        [f"<{token}@", f"<{token}A"],
    ))
    return rows[0] if rows else None


def mark(db: Database, influencer_id: int, *, now: str, actor: str, campaign_id: int | None = None,
         **detail: Any) -> bool:
    """Unsubscribe the influencer (audited with `detail`); False when they already were."""
    cursor = db.conn.execute(
        "UPDATE influencers SET unsubscribed = 1, updated_at = ? WHERE id = ? AND unsubscribed = 0",
        (now, influencer_id),
    )
    if cursor.rowcount == 0:
        return False
    audit.record(db, at=now, actor=actor, action="influencer.unsubscribe", entity="influencer",
                 entity_id=influencer_id, campaign_id=campaign_id, **detail)
    return True


def unsubscribe_handles(db: Database, handles: list[str], *, now: str, actor: str) -> list[tuple[dict, bool]]:
    """Unsubscribe each named influencer by hand: (influencer, newly unsubscribed) in order.

    One unknown handle changes nothing and names every unknown one.
    """
    people = by_handles(db, handles)
    done: dict[int, tuple[dict, bool]] = {}
    for person in people:
        if person["id"] not in done:
            done[person["id"]] = (person, mark(db, person["id"], now=now, actor=actor, source="manual"))
    return list(done.values())


def handle_of(db: Database, influencer_id: int) -> str | None:
    row = db.execute("SELECT handle FROM influencers WHERE id = ?", (influencer_id,)).fetchone()
    return str(row[0]) if row else None


def unsubscribe_token(db: Database, token: str, *, now: str, actor: str) -> tuple[dict, bool]:
    """Unsubscribe whoever received the message `token` names (the one-click link)."""
    found = message_by_token(db, token)
    if found is None:
        raise NotFound(f"No message of ours has the unsubscribe token {token!r}.")
    person = db.execute("SELECT handle FROM influencers WHERE id = ?", (found["influencer_id"],)).fetchone()
    changed = mark(db, found["influencer_id"], now=now, actor=actor, campaign_id=found["campaign_id"],
                   source="token", message_id=found["message_id"])
    return {"id": found["influencer_id"], "handle": person[0]}, changed


def resubscribe(db: Database, handle: str, *, now: str, actor: str) -> dict:
    """Lift an unsubscribe (audited): the influencer may be emailed again."""
    influencer = get_by_handle(db, handle)
    if not influencer["unsubscribed"]:
        raise UserError(f"{influencer['handle']} is not unsubscribed.")
    db.conn.execute("UPDATE influencers SET unsubscribed = 0, updated_at = ? WHERE id = ?",
                    (now, influencer["id"]))
    audit.record(db, at=now, actor=actor, action="influencer.resubscribe", entity="influencer",
                 entity_id=influencer["id"])
    return influencer
