"""The sequence's data: each campaign's saved settings, accepts, and due steps (the rules are in
`store.outreach_rules.sequence`)."""

from __future__ import annotations

import json

from store import audit
from store.campaigns import Campaign
from store.database import Database
from store.outreach_rules.sequence import (
    ACCEPT_STAGES,
    SEQUENCE_STAGES,
    STAGE_STOPS,
    WRITTEN_KINDS,
    SequenceSettings,
    stage_stop,
)

_STEP_SQL = "(kind = 'welcome' OR kind LIKE 'followup-%')"


def save_settings(db: Database, campaign: Campaign, settings: SequenceSettings, *, now: str,
                  actor: str) -> None:
    db.conn.execute(
        """UPDATE campaigns SET welcome_enabled = ?, stop_if_ongoing = ?, stop_if_incoming = ?,
               followup_days = ?, updated_at = ? WHERE id = ?""",
        (int(settings.welcome), int(settings.stop_if_ongoing), int(settings.stop_if_incoming),
         json.dumps(list(settings.followups)), now, campaign.id),
    )
    audit.record(db, at=now, actor=actor, action="campaign.sequence", entity="campaign",
                 entity_id=campaign.id, campaign_id=campaign.id, sequence=settings.describe())


def pending_accepts(db: Database) -> list[dict]:
    """Invited applications that said yes, are at a stage that wants the sequence, and have none yet."""
    marks = ", ".join("?" for _ in SEQUENCE_STAGES)
    return list(db.query(
        f"""SELECT a.* FROM applications a JOIN campaigns c ON c.id = a.campaign_id
            WHERE a.sequence_at IS NULL AND a.source = 'invited' AND a.stage IN ({marks})
              AND c.status = 'open'
            ORDER BY a.id""",
        list(SEQUENCE_STAGES),
    ))


def follow_stage(db: Database, application_id: int, stage: str, now: str) -> int:
    """Skip the unsent steps of an application that left the stages wanting them, or put back
    the future steps a stage had stopped when it returns; returns how many changed."""
    owner = ("(influencer_id, campaign_id) = "
             "(SELECT influencer_id, campaign_id FROM applications WHERE id = ?)")
    reason = stage_stop(stage)
    if reason:
        return db.conn.execute(
            f"""UPDATE messages SET status = 'skipped', updated_at = ?,
                   flags = (SELECT json_group_array(value) FROM
                            (SELECT value FROM json_each(messages.flags) UNION SELECT ? ORDER BY 1))
                WHERE status IN ('planned', 'queued') AND direction = 'out' AND {_STEP_SQL} AND {owner}""",
            (now, reason, application_id)).rowcount
    stops = json.dumps(sorted(STAGE_STOPS.values()))
    return db.conn.execute(
        f"""UPDATE messages SET status = 'planned', updated_at = ?,
               flags = (SELECT json_group_array(value) FROM json_each(messages.flags)
                        WHERE value NOT IN (SELECT value FROM json_each(?)))
            WHERE status = 'skipped' AND direction = 'out' AND {_STEP_SQL} AND {owner}
              AND scheduled_at > ?
              AND EXISTS (SELECT 1 FROM json_each(messages.flags) f
                          WHERE f.value IN (SELECT value FROM json_each(?)))""",
        (now, stops, application_id, now, stops)).rowcount


def accept_time(db: Database, application: dict) -> str:
    """When the invited influencer said yes: the stage change's audit event, else the last update."""
    if application["stage"] in ACCEPT_STAGES:
        return application["updated_at"]
    row = db.execute(
        """SELECT min(at) FROM audit_events WHERE entity = 'application' AND entity_id = ?
           AND json_extract(detail, '$.from') = 'invited'""",
        (application["id"],),
    ).fetchone()
    return row[0] if row and row[0] else application["updated_at"]


def mark_sequenced(db: Database, application_id: int, accepted_at: str, now: str) -> bool:
    """Record that the sequence was scheduled; False if another process already did."""
    cursor = db.conn.execute(
        "UPDATE applications SET accepted_at = ?, sequence_at = ? WHERE id = ? AND sequence_at IS NULL",
        (accepted_at, now, application_id),
    )
    return cursor.rowcount == 1


def due_steps(db: Database, now: str, limit: int = 500) -> list[dict]:
    """Welcome and follow-up rows waiting for their time that has come, oldest first."""
    return list(db.query(
        """SELECT m.id, m.kind, m.influencer_id, m.campaign_id, m.scheduled_at, m.flags,
                  a.accepted_at, a.stage
           FROM messages m
           LEFT JOIN applications a ON a.influencer_id = m.influencer_id AND a.campaign_id = m.campaign_id
           WHERE m.status = 'planned' AND m.next_attempt_at <= ?
             AND (m.kind = 'welcome' OR m.kind LIKE 'followup-%')
           ORDER BY m.next_attempt_at, m.id LIMIT ?""",
        [now, limit],
    ))


def upcoming_steps(db: Database, start: str, end: str) -> list[dict]:
    """Sequence rows scheduled in [start, end) that are not sent yet (for the dry run)."""
    return list(db.query(
        """SELECT m.id, m.kind, m.influencer_id, m.campaign_id, m.scheduled_at, m.flags, m.status,
                  m.language, length(trim(m.body, ' ' || char(9, 10, 13))) AS length,
                  a.accepted_at, a.stage, i.handle
           FROM messages m JOIN influencers i ON i.id = m.influencer_id
           LEFT JOIN applications a ON a.influencer_id = m.influencer_id AND a.campaign_id = m.campaign_id
           WHERE m.status IN ('planned', 'queued') AND (m.kind = 'welcome' OR m.kind LIKE 'followup-%')
             AND m.scheduled_at >= ? AND m.scheduled_at < ?
           ORDER BY m.scheduled_at, m.id""",
        [start, end],
    ))


def written_since(db: Database, influencer_id: int, campaign: Campaign, since: str) -> bool:
    """Whether the campaign's side wrote to the influencer by hand after `since`."""
    marks = ", ".join("?" for _ in WRITTEN_KINDS)
    return db.execute(
        f"""SELECT 1 FROM messages WHERE influencer_id = ? AND direction = 'out'
            AND kind IN ({marks}) AND status NOT IN ('skipped', 'failed') AND created_at > ?
            AND (campaign_id = ? OR from_addr = ?) LIMIT 1""",
        (influencer_id, *WRITTEN_KINDS, since, campaign.id, campaign.sender_email or ""),
    ).fetchone() is not None


def welcome_stopped(db: Database, influencer_id: int, campaign_id: int) -> bool:
    """Whether this campaign's welcome to the influencer was stopped by a rule."""
    return db.execute(
        """SELECT 1 FROM messages WHERE influencer_id = ? AND campaign_id = ? AND kind = 'welcome'
           AND status = 'skipped' LIMIT 1""",
        (influencer_id, campaign_id),
    ).fetchone() is not None


def release(db: Database, message_id: int, now: str) -> bool:
    """Hand a due step to the dispatcher; False if its state changed meanwhile."""
    cursor = db.conn.execute(
        "UPDATE messages SET status = 'queued', updated_at = ? WHERE id = ? AND status = 'planned'",
        (now, message_id),
    )
    return cursor.rowcount == 1


def stop(db: Database, message_id: int, reason: str, now: str) -> bool:
    """Skip a step for `reason`, kept as a flag so the timeline says why nothing left."""
    row = db.execute("SELECT flags FROM messages WHERE id = ? AND status IN ('planned', 'queued')",
                     (message_id,)).fetchone()
    if row is None:
        return False
    flags = sorted({*json.loads(row[0]), reason})
    db.conn.execute("UPDATE messages SET status = 'skipped', flags = ?, updated_at = ? WHERE id = ?",
                    (json.dumps(flags), now, message_id))
    return True
