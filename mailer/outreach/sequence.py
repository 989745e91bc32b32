"""After an accepted invitation: the welcome the next window day, then follow-ups, with stop rules.

Steps are written as `planned` rows when the accept is seen (so the timeline and the
dry run show them) and released to the dispatcher only when due, after their stop
rules were checked then: the dispatcher never sends `planned`, so a stopped step
cannot leave even if no daemon runs.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from mailer.templating.drafting import Renderer, draft
from store import audit, campaigns, inbox, influencers
from store import sequence as steps
from store.campaigns import Campaign, zone
from store.clock import from_iso, iso
from store.database import Database
from store.db import Store
from store.outbox.queueing import SYSTEM_AUTHOR, enqueue, suppression
from store.outreach_rules.sequence import SequenceSettings, sequence_times, stage_stop
from store.wording import plural

# An accept whose welcome would be more than this late is not welcomed at all.
STALE_AFTER = timedelta(days=1)


def stop_reason(db: Database, step: dict, campaign: Campaign) -> str | None:
    """Which rule stops this welcome or follow-up now, or None when it may go."""
    settings = SequenceSettings.of(campaign)
    left = stage_stop(step.get("stage"))
    if left:
        return left
    suppressed = suppression(db, step["influencer_id"])
    if suppressed:
        return suppressed
    if "missing_data" in json.loads(step.get("flags") or "[]"):
        return "missing_data"
    since = step.get("accepted_at") or step["scheduled_at"]
    if step["kind"] == "welcome":
        if settings.stop_if_incoming and inbox.replied_since(db, step["influencer_id"], since):
            return "stopped_incoming"
        if settings.stop_if_ongoing and steps.written_since(db, step["influencer_id"], campaign, since):
            return "stopped_ongoing"
        return None
    if inbox.replied_since(db, step["influencer_id"], since):
        return "stopped_reply"
    if steps.welcome_stopped(db, step["influencer_id"], step["campaign_id"]):
        return "stopped_welcome"
    return None


def step_times(campaign: Campaign, accepted_at: datetime) -> list[tuple[str, datetime]]:
    """(kind, due) for the welcome and each follow-up, all at window openings in the campaign's zone."""
    return sequence_times(SequenceSettings.of(campaign), accepted_at, campaign.windows,
                          zone(campaign.timezone))


def schedule_accept(db: Database, renderer: Renderer, application: dict, now: datetime,
                    actor: str) -> str | None:
    """Write the planned steps for one accept; returns a log line (None if someone did it first)."""
    campaign = campaigns.get_by_id(db, application["campaign_id"])
    person = influencers.get(db, application["influencer_id"])
    accepted = steps.accept_time(db, application)
    if not steps.mark_sequenced(db, application["id"], accepted, iso(now)):
        return None
    times = step_times(campaign, from_iso(accepted))
    if not times or not person.get("email") or not campaign.sender_email:
        return f"sequence {campaign.name} @{person['handle']}: nothing to schedule"
    if times[0][1] < now - STALE_AFTER:
        audit.record(db, at=iso(now), actor=actor, action="outreach.sequence", entity="application",
                     entity_id=application["id"], campaign_id=campaign.id, skipped="accepted too long ago")
        return f"sequence {campaign.name} @{person['handle']}: accepted too long ago, not welcomed"
    for kind, due in times:
        text = draft(db, renderer, campaign, kind, person)
        enqueue(db, now=iso(now), kind=kind, to_addr=person["email"], from_addr=campaign.sender_email,
                from_name=campaign.sender_name, subject=text.subject, body=text.body,
                body_html=text.body_html, influencer_id=person["id"], campaign_id=campaign.id,
                language=text.language, status="planned", scheduled_at=iso(due), flags=text.flags,
                author=SYSTEM_AUTHOR)
    audit.record(db, at=iso(now), actor=actor, action="outreach.sequence", entity="application",
                 entity_id=application["id"], campaign_id=campaign.id, accepted_at=accepted,
                 steps={kind: iso(due) for kind, due in times})
    first_kind, first_at = times[0]
    return (f"sequence {campaign.name} @{person['handle']}: {first_kind} "
            f"{first_at.astimezone(zone(campaign.timezone)):%Y-%m-%d %H:%M %Z}"
            + (f" and {plural(len(times) - 1, 'follow-up')}" if len(times) > 1 else ""))


def settle_step(db: Database, step: dict, now: datetime) -> str | None:
    """Release one due step to the dispatcher, or stop it by its rule."""
    campaign = campaigns.get_by_id(db, step["campaign_id"])
    if campaign.status != "open":
        return None
    reason = stop_reason(db, step, campaign)
    handle = influencers.get(db, step["influencer_id"])["handle"]
    if reason:
        if steps.stop(db, step["id"], reason, iso(now)):
            audit.record(db, at=iso(now), actor="callsheet", action="outreach.stop", entity="message",
                         entity_id=step["id"], campaign_id=campaign.id, kind=step["kind"], rule=reason)
            return f"{step['kind']} {campaign.name} @{handle}: stopped ({reason})"
        return None
    if steps.release(db, step["id"], iso(now)):
        return f"{step['kind']} {campaign.name} @{handle}: due, queued"
    return None


def advance(store: Store, now: datetime | None = None, renderer: Renderer | None = None) -> list[str]:
    """Schedule the sequences of new accepts and settle every step that is due; one line per action."""
    now = now or store.clock.now()
    lines: list[str | None] = []
    pending = steps.pending_accepts(store.writer)
    if pending:
        chosen = renderer or Renderer.default()
        for application in pending:
            with store.write() as db:
                lines.append(schedule_accept(db, chosen, application, now, store.actor))
    for step in steps.due_steps(store.writer, iso(now)):
        with store.write() as db:
            lines.append(settle_step(db, step, now))
    return [line for line in lines if line]
