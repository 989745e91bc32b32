"""The Inbox's summary rows: what a conversation counts, when it last moved, and the triggers.

A message belongs to a conversation once it is real: received, or outgoing and neither
planned (tomorrow's queue) nor skipped (suppressed). Its time is when the mail was
received or sent, so a queued invitation is listed but is no activity; a conversation
with nothing sent or received yet has the time '' and sorts after every other.
Each write costs one upsert of two rows; only a move to another influencer or campaign,
a message leaving or joining the conversation, or a time going back rebuilds the rows
of the influencers concerned.
"""

from __future__ import annotations

VISIBLE = "({m}.direction = 'in' OR coalesce({m}.status, '') NOT IN ('planned', 'skipped'))"
# Received: the Date header (clamped to the sync's time); sent: the dispatcher's time.
# History rows without a status were sent.
ACTIVITY = ("(CASE WHEN {m}.direction = 'in' THEN {m}.created_at "
            "WHEN coalesce({m}.status, 'sent') = 'sent' THEN coalesce({m}.sent_at, {m}.created_at) "
            "ELSE '' END)")
UNREAD = "({m}.is_read = 0)"
COLUMNS = "influencer_id, campaign_id, last_at, last_message_id, unread, total"
# The latest message is the one with the greatest (time, id): one key that max() can carry
# through GROUP BY ('#' sorts before every digit, so unsent mail comes last).
_KEY = "{activity} || '#' || printf('%015d', m.id)"
_LAST_AT = "substr(max({key}), 1, instr(max({key}), '#') - 1)"
_LAST_ID = "CAST(substr(max({key}), instr(max({key}), '#') + 1) AS INTEGER)"


def _of(template: str, row: str) -> str:
    return template.format(m=row)


def _aggregate() -> str:
    key = _KEY.format(activity=_of(ACTIVITY, "m"))
    return (f"{_LAST_AT.format(key=key)}, {_LAST_ID.format(key=key)}, "
            f"sum({_of(UNREAD, 'm')}), count(*)")


def rebuild(where: str, delete: str) -> list[str]:
    """Statements recomputing the summary rows of the messages `where` selects (on `m`)."""
    visible = _of(VISIBLE, "m")
    return [
        delete,
        f"""INSERT INTO conversations ({COLUMNS})
            SELECT m.influencer_id, 0, {_aggregate()}
            FROM messages m WHERE {where} AND {visible} GROUP BY m.influencer_id""",
        f"""INSERT INTO conversations ({COLUMNS})
            SELECT m.influencer_id, m.campaign_id, {_aggregate()}
            FROM messages m WHERE {where} AND m.campaign_id IS NOT NULL AND {visible}
            GROUP BY m.influencer_id, m.campaign_id""",
    ]


def rebuild_for(influencers: str) -> list[str]:
    """Recompute the rows of `influencers` (an SQL list of ids)."""
    return rebuild(f"m.influencer_id IN ({influencers})",
                   f"DELETE FROM conversations WHERE influencer_id IN ({influencers})")


REBUILD_ALL = rebuild("m.influencer_id IS NOT NULL", "DELETE FROM conversations")


def _trigger(name: str, event: str, when: str, statements: list[str]) -> str:
    body = ";\n".join(statements)
    return f"CREATE TRIGGER {name} {event} ON messages WHEN {when} BEGIN {body}; END"


_SCOPES = "(SELECT 0 AS campaign_id UNION ALL SELECT new.campaign_id WHERE new.campaign_id IS NOT NULL)"
_INSERT = f"""INSERT INTO conversations ({COLUMNS})
    SELECT new.influencer_id, scope.campaign_id, {_of(ACTIVITY, 'new')}, new.id, {_of(UNREAD, 'new')}, 1
    FROM {_SCOPES} AS scope WHERE true
    ON CONFLICT (influencer_id, campaign_id) DO UPDATE SET
      last_message_id = CASE WHEN excluded.last_at >= last_at
                             THEN excluded.last_message_id ELSE last_message_id END,
      last_at = max(last_at, excluded.last_at),
      unread = unread + excluded.unread,
      total = total + 1"""
# The same message got later (sent at last) or its read state changed: adjust in place.
_TOUCH = f"""UPDATE conversations SET
      unread = unread + {_of(UNREAD, 'new')} - {_of(UNREAD, 'old')},
      last_message_id = CASE WHEN {_of(ACTIVITY, 'new')} > last_at
                               OR ({_of(ACTIVITY, 'new')} = last_at AND new.id >= last_message_id)
                             THEN new.id ELSE last_message_id END,
      last_at = max(last_at, {_of(ACTIVITY, 'new')})
    WHERE influencer_id = new.influencer_id AND campaign_id IN (0, coalesce(new.campaign_id, 0))"""
_MOVED = (f"(old.influencer_id IS NOT new.influencer_id OR old.campaign_id IS NOT new.campaign_id "
          f"OR {_of(VISIBLE, 'old')} IS NOT {_of(VISIBLE, 'new')})")
_EARLIER = f"({_of(ACTIVITY, 'new')} < {_of(ACTIVITY, 'old')})"
_UPDATED = "AFTER UPDATE OF influencer_id, campaign_id, is_read, created_at, direction, status, sent_at"

TRIGGERS = [
    _trigger("inbox_conversation_insert", "AFTER INSERT",
             f"new.influencer_id IS NOT NULL AND {_of(VISIBLE, 'new')}", [_INSERT]),
    _trigger("inbox_conversation_touch", _UPDATED,
             f"""NOT {_MOVED} AND new.influencer_id IS NOT NULL AND {_of(VISIBLE, 'new')}
                 AND NOT {_EARLIER}
                 AND ({_of(ACTIVITY, 'new')} > {_of(ACTIVITY, 'old')} OR old.is_read IS NOT new.is_read)""",
             [_TOUCH]),
    _trigger("inbox_conversation_update", _UPDATED,
             f"{_MOVED} OR ({_of(VISIBLE, 'new')} AND {_EARLIER})",
             rebuild_for("old.influencer_id, new.influencer_id")),
    _trigger("inbox_conversation_delete", "AFTER DELETE", "old.influencer_id IS NOT NULL",
             rebuild_for("old.influencer_id")),
]
NAMES = ("inbox_conversation_insert", "inbox_conversation_update", "inbox_conversation_delete")
