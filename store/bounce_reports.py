"""Whether a delivery report refers to mail we sent: only then may it suppress anyone.

Anyone can write a report naming any address. One counts when its Message-ID (in the
report or in the returned headers) is a message we sent to that address, or when we
sent to that address within the last `WINDOW_DAYS` days; any other is kept, unverified,
for the operator to see in the bounce inspector, and suppresses nobody.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from store import threads
from store.clock import from_iso, iso
from store.database import Database
from store.threads import Match

if TYPE_CHECKING:
    from store.inbound import Bounce

# Reports come within minutes; a delayed one after the queue gives up (5 days by default).
WINDOW_DAYS = 7
NOBODY = Match(None, None, "none")


@dataclass(frozen=True)
class Verdict:
    """Whom a report is about (nobody unless verified), and whom it names either way."""

    match: Match
    verified: bool
    named: int | None
    recipient: str | None


def _by_message_id(db: Database, bounce: Bounce) -> Match | None:
    """The message of ours the report quotes, when it went to an address the report names."""
    if not bounce.original_message_id:
        return None
    row = db.execute(
        """SELECT influencer_id, campaign_id, to_addr FROM messages
           WHERE message_id = ? AND direction = 'out' AND influencer_id IS NOT NULL""",
        (bounce.original_message_id,),
    ).fetchone()
    named = {address.casefold() for address in bounce.recipients}
    if row is None or (named and (row[2] or "").casefold() not in named):
        return None
    return Match(row[0], row[1], "thread", bounce.original_message_id)


def _by_recent_send(db: Database, influencer_id: int, address: str, since: str) -> Match | None:
    """Our latest mail to `address` that left since `since`, if any."""
    row = db.execute(
        """SELECT campaign_id, message_id FROM messages
           WHERE influencer_id = ? AND direction = 'out' AND status IN ('sent', 'sending')
             AND to_addr = ? COLLATE NOCASE AND coalesce(sent_at, updated_at) >= ?
           ORDER BY coalesce(sent_at, updated_at) DESC, id DESC LIMIT 1""",
        (influencer_id, address, since),
    ).fetchone()
    return Match(influencer_id, row[0], "address", row[1]) if row else None


def verify(db: Database, bounce: Bounce, now: str) -> Verdict:
    """Check `bounce` against what we sent (see the module's docstring)."""
    recipient = bounce.recipients[0] if bounce.recipients else None
    quoted = _by_message_id(db, bounce)
    if quoted is not None:
        return Verdict(quoted, True, quoted.influencer_id, recipient)
    since = iso(from_iso(now) - timedelta(days=WINDOW_DAYS))
    named = None
    for address in bounce.recipients:
        influencer_id = threads.influencer_by_address(db, address)
        if influencer_id is None:
            continue
        recent = _by_recent_send(db, influencer_id, address, since)
        if recent is not None:
            return Verdict(recent, True, influencer_id, address)
        named = named or influencer_id
    return Verdict(NOBODY, False, named, recipient)


def record(db: Database, report_row: int, verdict: Verdict, bounce: Bounce) -> None:
    db.conn.execute(
        """INSERT INTO bounce_reports (message_id, recipient, influencer_id, verified, permanent, reason)
           VALUES (?, ?, ?, ?, ?, ?)""",
        (report_row, verdict.recipient, verdict.named, int(verdict.verified), int(bounce.permanent),
         bounce.reason()),
    )


def unverified(db: Database, limit: int = 200) -> list[dict]:
    """Reports that refer to no mail of ours, newest first, with whom they name."""
    return list(db.query(
        """SELECT m.id AS report_id, m.created_at AS reported_at, m.from_addr, m.subject AS report_subject,
                  m.body, r.recipient, r.permanent, r.reason, i.id AS influencer_id, i.handle
           FROM bounce_reports r JOIN messages m ON m.id = r.message_id
           LEFT JOIN influencers i ON i.id = r.influencer_id
           WHERE r.verified = 0 ORDER BY m.created_at DESC, m.id DESC LIMIT ?""",
        [limit],
    ))
