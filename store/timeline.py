"""One influencer's merged history: messages, clicks, stage changes, moderation and notes, in time order.

Across every campaign, or one campaign's part of it (notes and influencer-wide
events such as a bounce show in both). Audit events come from the influencer
itself, their applications, and moderation of their messages.
"""

from __future__ import annotations

import json

from store import attachments
from store.database import Database
from store.moves import UNDOABLE

LIMIT = 500
# Dispatch bookkeeping on a message (claims, leases, attempts) is already visible as the
# message's status; only what a person decided about it belongs in the history.
MESSAGE_EVENT_PATTERNS = ("moderation.%", "message.attached", "message.cancel", "message.retry")

_MESSAGES = """
    SELECT 'message' AS entry, m.id,
           CASE WHEN m.direction = 'in' THEN m.created_at
                ELSE coalesce(m.sent_at, m.scheduled_at, m.created_at) END AS at,
           m.direction, m.kind, m.subject, m.status, m.body, m.campaign_id, m.flags,
           m.last_smtp_response, m.is_read, m.from_addr, m.from_name, m.to_addr, m.message_id,
           m.author AS actor, m.reply_signal AS signal, m.reply_signal_by AS signal_by
    FROM messages m WHERE m.influencer_id = :influencer {campaign}"""

_NOTES = """
    SELECT 'note' AS entry, n.id, n.created_at AS at, NULL AS direction, 'note' AS kind,
           substr(n.body, 1, 80) AS subject, NULL AS status, n.body, NULL AS campaign_id, '[]' AS flags,
           NULL, 1, NULL, '', NULL, NULL, n.author AS actor, NULL, NULL
    FROM notes n WHERE n.influencer_id = :influencer"""

# A click on a tracked link (store/clicks.py): "clicked <target>" at its time, after the message.
_CLICKS = """
    SELECT 'click' AS entry, c.id, c.clicked_at AS at, NULL AS direction, 'click' AS kind,
           'clicked ' || t.url AS subject, NULL AS status, t.url AS body, c.campaign_id, '[]' AS flags,
           NULL, 1, NULL, '', NULL, NULL, NULL AS actor, NULL, NULL
    FROM clicks c JOIN link_targets t ON t.id = c.target_id
    WHERE c.influencer_id = :influencer {campaign}"""

_EVENTS = """
    SELECT 'event' AS entry, a.id, a.at, NULL AS direction, a.action AS kind, '' AS subject,
           NULL AS status, a.detail AS body, a.campaign_id, '[]' AS flags, NULL, 1, NULL, '', NULL,
           NULL, a.actor, NULL, NULL
    FROM audit_events a
    WHERE ((a.entity = 'influencer' AND a.entity_id = :influencer)
        OR (a.entity = 'application' AND a.entity_id IN
            (SELECT id FROM applications WHERE influencer_id = :influencer))
        OR (a.entity = 'message' AND a.entity_id IN
            (SELECT id FROM messages WHERE influencer_id = :influencer)
            AND ({message_actions})))
      {campaign}"""


def describe(action: str, detail: dict) -> str:
    """A short line for an audit event: stage moves as 'a → b', others as their action and facts."""
    before = detail.get("from") or detail.get("from_stage") or detail.get("old_stage")
    after = detail.get("to") or detail.get("to_stage") or detail.get("stage") or detail.get("new_stage")
    if after:
        return f"{before} → {after}" if before else f"stage {after}"
    words = action.replace(".", " ").replace("_", " ")
    facts = ", ".join(f"{k}: {v}" for k, v in detail.items() if v not in (None, "", [], {}))
    return f"{words} ({facts})" if facts else words


def _event(row: dict) -> dict:
    try:
        detail = json.loads(row["body"] or "{}")
    except ValueError:
        detail = {}
    return {**row, "subject": describe(row["kind"], detail if isinstance(detail, dict) else {}),
            "body": detail}


def entries(db: Database, influencer_id: int, campaign_id: int | None = None,
            limit: int = LIMIT) -> list[dict]:
    """The latest `limit` entries, oldest first."""
    message_actions = " OR ".join(f"a.action LIKE :pattern{i}" for i in range(len(MESSAGE_EVENT_PATTERNS)))
    in_campaign = "AND m.campaign_id = :campaign" if campaign_id else ""
    clicks_in_campaign = "AND c.campaign_id = :campaign" if campaign_id else ""
    event_scope = "AND (a.campaign_id = :campaign OR a.campaign_id IS NULL)" if campaign_id else ""
    sql = " UNION ALL ".join([
        _MESSAGES.format(campaign=in_campaign),
        _NOTES,
        _CLICKS.format(campaign=clicks_in_campaign),
        _EVENTS.format(campaign=event_scope, message_actions=message_actions),
    ])
    params = {"influencer": influencer_id, "campaign": campaign_id, "limit": limit,
              **{f"pattern{i}": p for i, p in enumerate(MESSAGE_EVENT_PATTERNS)}}
    rows = db.query(f"SELECT * FROM ({sql}) ORDER BY at DESC, entry, id DESC LIMIT :limit", params)
    decoded = [_event(row) if row["entry"] == "event" else _message(row) for row in rows]
    _add_attachments(db, decoded)
    return list(reversed(decoded))


def _add_attachments(db: Database, decoded: list[dict]) -> None:
    """Each message entry's files (name, size, id, why one was skipped), in order; [] when none."""
    messages = [entry for entry in decoded if entry["entry"] == "message"]
    found = attachments.for_messages(db, [entry["id"] for entry in messages])
    for entry in messages:
        entry["attachments"] = [{"id": item.id, "filename": item.filename, "size": item.size,
                                 "content_type": item.content_type, "skipped": item.skipped,
                                 "label": item.label()} for item in found.get(entry["id"], [])]


def _message(row: dict) -> dict:
    """A message entry with its flags decoded; `undoable` only while the held email is still queued."""
    flags = json.loads(row["flags"])
    if row["status"] != "queued":  # claimed or gone: the decision is final, whatever the flag says
        flags = [flag for flag in flags if flag != UNDOABLE]
    return {**row, "flags": flags}
