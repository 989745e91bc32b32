"""Small read models for the app shell: one indexed query per pane."""

from __future__ import annotations

from sqlite_utils import Database


def campaign_summaries(db: Database) -> list[dict]:
    """Each campaign with its candidates per stage, newest first."""
    return list(db.query(
        """SELECT c.name, c.status, c.timezone, c.daily_cap,
                  count(a.id) AS candidates,
                  sum(a.stage = 'to review') AS to_review,
                  sum(a.stage = 'in campaign') AS in_campaign,
                  sum(a.stage = 'rejected') AS rejected,
                  sum(a.source = 'invited') AS invited
           FROM campaigns c LEFT JOIN applications a ON a.campaign_id = c.id
           GROUP BY c.id ORDER BY c.created_at DESC, c.id DESC"""
    ))


def conversation_summaries(db: Database, limit: int = 200) -> list[dict]:
    """Influencers with messages: unread first, then by the latest message."""
    return list(db.query(
        """SELECT i.handle, i.name, sum(m.is_read = 0) AS unread, max(m.created_at) AS last_at,
                  (SELECT subject FROM messages WHERE influencer_id = i.id
                   ORDER BY created_at DESC, id DESC LIMIT 1) AS last_subject
           FROM messages m JOIN influencers i ON i.id = m.influencer_id
           GROUP BY i.id ORDER BY unread > 0 DESC, last_at DESC LIMIT ?""",
        [limit],
    ))


def invitations_between(db: Database, start: str, end: str, limit: int = 1000) -> list[dict]:
    """Invitations scheduled in [start, end) (UTC ISO), by campaign and time."""
    return list(db.query(
        """SELECT c.name AS campaign, i.handle, m.language, m.status, m.flags, m.scheduled_at,
                  length(m.body) AS length, c.invite_limit
           FROM messages m JOIN campaigns c ON c.id = m.campaign_id
           JOIN influencers i ON i.id = m.influencer_id
           WHERE m.kind = 'invitation' AND m.scheduled_at >= ? AND m.scheduled_at < ?
           ORDER BY c.name, m.scheduled_at LIMIT ?""",
        [start, end, limit],
    ))
