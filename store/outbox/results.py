"""Recording what happened to claimed rows, fenced by their lease token.

A completion only lands on a row that is still `sending` under the same token: a
dispatcher whose lease expired and was taken over cannot overwrite the newer owner's
result (R7). Completions are applied in batches, one short transaction per batch.

A plain `sent` result is not recorded here but in the dispatcher's sent log
(store/outbox/sent_log.py), folded into `messages` by its claims.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from store import audit, campaigns
from store.database import Database

_COMPLETE = """
    UPDATE messages SET status = :status, attempts = attempts + :attempts_delta,
        last_smtp_response = coalesce(:response, last_smtp_response),
        next_attempt_at = coalesce(:next_attempt_at, next_attempt_at),
        sent_at = CASE WHEN :status = 'sent' THEN :now ELSE sent_at END,
        flags = CASE WHEN :flag IS NULL THEN flags ELSE
            (SELECT json_group_array(value) FROM
             (SELECT value FROM json_each(flags) UNION SELECT :flag ORDER BY 1)) END,
        lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL, updated_at = :now
    WHERE id = :id AND lease_token = :token AND status = 'sending'"""

_DEFER_DUE = """
    UPDATE messages SET status = 'deferred', next_attempt_at = :until,
        last_smtp_response = :response, updated_at = :now
    WHERE id IN (SELECT m.id FROM messages m INDEXED BY messages_claimable
                 WHERE m.status IN ('queued', 'deferred') AND m.next_attempt_at <= :now
                   AND NOT EXISTS (SELECT 1 FROM campaigns c
                                   WHERE c.id = m.campaign_id AND c.status = 'paused'))"""


@dataclass(frozen=True)
class Completion:
    """The end of one attempt: the row's new state, the server's words and what follows."""

    row_id: int
    token: str
    status: str  # sent, deferred, failed, or queued/deferred with attempts_delta=-1 (released)
    response: str | None = None
    next_attempt_at: str | None = None
    flag: str | None = None
    attempts_delta: int = 0
    bounced_influencer: int | None = None

    @property
    def plain_send(self) -> bool:
        """A send with nothing more to record than its reply: it goes to the sent log."""
        return (self.status == "sent" and self.flag is None and not self.attempts_delta
                and self.bounced_influencer is None)


def complete(db: Database, completions: Iterable[Completion], *, now: str, actor: str) -> list[int]:
    """Apply completions; return the row ids whose lease was no longer ours (fenced off).
    Call in a write transaction."""
    fenced = []
    for done in completions:
        cursor = db.conn.execute(_COMPLETE, {
            "id": done.row_id, "token": done.token, "status": done.status,
            "attempts_delta": done.attempts_delta, "response": done.response,
            "next_attempt_at": done.next_attempt_at, "flag": done.flag, "now": now})
        if cursor.rowcount == 0:
            fenced.append(done.row_id)
            continue
        if done.bounced_influencer is not None:
            mark_bounced(db, done.bounced_influencer, done.response or "", now=now, actor=actor)
    return fenced


def mark_bounced(db: Database, influencer_id: int, reason: str, *, now: str, actor: str) -> bool:
    """Suppress an influencer whose address the server refused for good."""
    changed = db.conn.execute(
        """UPDATE influencers SET bounced = 1, bounce_reason = ?, updated_at = ?
           WHERE id = ? AND bounced = 0""", [reason, now, influencer_id]).rowcount
    if changed:
        audit.record(db, at=now, actor=actor, action="influencer.bounced", entity="influencer",
                     entity_id=influencer_id, reason=reason)
    return bool(changed)


def pause_campaign(db: Database, campaign_id: int, reason: str, *, now: str, actor: str) -> bool:
    """Pause an open campaign with a sentence for the operator; False if it was not open."""
    return campaigns.pause(db, campaign_id, reason, now=now, actor=actor)


def defer_due(db: Database, *, now: str, until: str, response: str) -> int:
    """Postpone every due row to `until` (the server is down: back off as a whole)."""
    return db.conn.execute(_DEFER_DUE, {"now": now, "until": until, "response": response}).rowcount
