"""Matching inbound mail to an influencer and a campaign: the thread first, then the sender.

Threading survives broken headers: ids are pulled out of In-Reply-To and References
wherever they appear (bare, unbracketed, folded, with comments around them), and a
reply whose headers lead nowhere is still matched by its sender's address.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from store.database import Database

_BRACKETED = re.compile(r"<([^<>\s]+)>")
_BARE = re.compile(r"[^\s<>,;()\"]+@[^\s<>,;()\"]+")
MAX_REFERENCES = 40


@dataclass(frozen=True)
class Match:
    """Who a message belongs to, and how we know."""

    influencer_id: int | None
    campaign_id: int | None
    how: str  # 'thread', 'address', 'token' (an unsubscribe token) or 'none'
    thread_message_id: str | None = None


def message_ids(header: str | None) -> list[str]:
    """Every Message-ID in a header value, bracketed, in order, without repeats."""
    if not header:
        return []
    found = [f"<{value}>" for value in _BRACKETED.findall(header)]
    if not found:
        found = [f"<{value.strip('.')}>" for value in _BARE.findall(header)]
    return list(dict.fromkeys(found))


def by_thread(db: Database, in_reply_to: list[str], references: list[str]) -> Match | None:
    """The influencer of the newest known message this one answers, if any."""
    candidates = list(dict.fromkeys([*in_reply_to, *reversed(references[-MAX_REFERENCES:])]))
    if not candidates:
        return None
    marks = ", ".join("?" for _ in candidates)
    rows = db.execute(
        f"""SELECT message_id, influencer_id, campaign_id FROM messages
            WHERE message_id IN ({marks}) AND influencer_id IS NOT NULL""",
        candidates,
    ).fetchall()
    known = {row[0]: row for row in rows}
    for candidate in candidates:
        if candidate in known:
            _, influencer_id, campaign_id = known[candidate]
            return Match(influencer_id, campaign_id, "thread", candidate)
    return None


def influencer_by_address(db: Database, address: str | None) -> int | None:
    """The influencer whose email is `address` (exact first, then ignoring case)."""
    if not address:
        return None
    row = db.execute(
        "SELECT id FROM influencers WHERE email = ? ORDER BY id LIMIT 1", (address,)
    ).fetchone()
    if row is None:
        row = db.execute(
            "SELECT id FROM influencers WHERE email = ? COLLATE NOCASE ORDER BY id LIMIT 1", (address,)
        ).fetchone()
    return row[0] if row else None


def latest_campaign(db: Database, influencer_id: int) -> int | None:
    """The campaign of the last message we sent them: where an unthreaded reply most likely belongs."""
    row = db.execute(
        """SELECT campaign_id FROM messages WHERE influencer_id = ? AND direction = 'out'
             AND campaign_id IS NOT NULL ORDER BY created_at DESC, id DESC LIMIT 1""",
        (influencer_id,),
    ).fetchone()
    return row[0] if row else None


def is_ours(db: Database, address: str | None, extra: tuple[str, ...] = ()) -> bool:
    """Whether we send from `address`: a campaign's sender, an operator's, or one of `extra` (config)."""
    if not address:
        return False
    if address.casefold() in (other.casefold() for other in extra):
        return True
    row = db.execute(
        """SELECT 1 FROM campaigns WHERE sender_email = ? COLLATE NOCASE
           UNION ALL SELECT 1 FROM operators WHERE from_address = ? COLLATE NOCASE LIMIT 1""",
        (address, address),
    ).fetchone()
    return row is not None


def by_recipient(db: Database, *, in_reply_to: list[str], references: list[str],
                 recipients: list[str]) -> Match:
    """Whom a copy of our own mail was written to: the thread first, then each To or Cc address."""
    threaded = by_thread(db, in_reply_to, references)
    if threaded is not None:
        return threaded
    for address in recipients:
        influencer_id = influencer_by_address(db, address)
        if influencer_id is not None:
            return Match(influencer_id, latest_campaign(db, influencer_id), "address")
    return Match(None, None, "none")


def match(
    db: Database, *, in_reply_to: list[str], references: list[str], senders: list[str]
) -> Match:
    """Thread headers first, then each sender address in turn; 'none' keeps the mail aside."""
    threaded = by_thread(db, in_reply_to, references)
    if threaded is not None:
        return threaded
    for address in senders:
        influencer_id = influencer_by_address(db, address)
        if influencer_id is not None:
            return Match(influencer_id, latest_campaign(db, influencer_id), "address")
    return Match(None, None, "none")
