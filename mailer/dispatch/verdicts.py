"""From an attempt's Outcome to the row's next state: sent, deferred (when), failed, or handed back."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from mailer.config import DispatchSettings
from mailer.dispatch.backoff import retry_seconds
from mailer.smtp.classify import Outcome
from store.clock import from_iso, iso
from store.outbox.results import Completion
from store.wording import plural


def verdict(row: dict, outcome: Outcome, now: datetime, settings: DispatchSettings) -> tuple[Completion, str]:
    """The completion to record for `row` and its label: sent, deferred or failed."""
    base = {"row_id": row["id"], "token": row["lease_token"], "response": outcome.response}
    if outcome.status == "sent":
        return Completion(status="sent", **base), "sent"
    if outcome.status == "failed":
        bounced = row["influencer_id"] if outcome.bounce else None
        return Completion(status="failed", bounced_influencer=bounced, **base), "failed"
    flag = "ambiguous" if outcome.ambiguous else None
    if outcome.ambiguous and "ambiguous" in json.loads(row["flags"] or "[]"):
        # RFC 1047: it may have arrived twice already; a third copy is worse than a failure shown.
        base["response"] = f"{outcome.response} twice; not retried again, to avoid sending it a third time"
        return Completion(status="failed", flag=flag, **base), "failed"
    delay = timedelta(seconds=retry_seconds(settings, row["attempts"], (row["id"], row["attempts"])))
    first_due = from_iso(row.get("scheduled_at") or row["created_at"])
    if now + delay > first_due + timedelta(days=settings.max_lifetime_days):
        base["response"] = f"Gave up after {plural(settings.max_lifetime_days, 'day')}: {outcome.response}"
        return Completion(status="failed", **base), "failed"
    return Completion(status="deferred", next_attempt_at=iso(now + delay), flag=flag, **base), "deferred"


def release(row: dict, response: str | None) -> Completion:
    """Hand a claimed row back untouched: its attempt did not happen."""
    return Completion(row_id=row["id"], token=row["lease_token"],
                      status="queued" if row["attempts"] <= 1 else "deferred",
                      response=response, attempts_delta=-1)


def postpone(row: dict, until: str | None, reply: str) -> Completion:
    """The server is down: the row waits with the rest, without spending an attempt."""
    return Completion(row_id=row["id"], token=row["lease_token"], status="deferred", response=reply,
                      next_attempt_at=until, attempts_delta=-1)
