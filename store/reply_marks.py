"""The reply signal on stored messages: the rules' first guess, and the operator's mark over it.

Each incoming reply carries `reply_signal` (positive, negative, neutral; NULL on replies stored
before there were marks, read as neutral) and `reply_signal_by`: `auto` for the rules' guess
(store/reply_signal.py), else the login of the operator who set it. A guess made again never
replaces an operator's mark. An auto-reply is stored with kind `auto-reply`, not `reply`, so
nothing that counts replies (the `replied:` query, *stop if incoming*, new-reply notices) sees
it; an operator who marks one says a person wrote it, and it becomes a reply.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from store import audit, operators
from store.database import Database
from store.errors import UserError
from store.reply_signal import NEUTRAL, SIGNALS, Guess, guess

AUTO = "auto"
AUTO_REPLY_KIND = "auto-reply"
AUTO_REPLY_FLAG = "auto-reply"  # what the parser flags when the headers say a machine answered
REPLY_KINDS = ("reply", AUTO_REPLY_KIND)

MIGRATION = [
    """ALTER TABLE messages ADD COLUMN reply_signal TEXT
       CHECK (reply_signal IS NULL OR reply_signal IN ('positive', 'negative', 'neutral'))""",
    "ALTER TABLE messages ADD COLUMN reply_signal_by TEXT",
    # Replies stored earlier keep no mark (neutral) unless their headers said auto-reply, which
    # the flags kept: those stop counting as replies from now on.
    f"""UPDATE messages SET kind = '{AUTO_REPLY_KIND}', reply_signal = 'neutral', reply_signal_by = '{AUTO}'
        WHERE direction = 'in' AND kind = 'reply' AND flags LIKE '%"{AUTO_REPLY_FLAG}"%'""",
    # `replied:positive` per influencer, from the index alone, as `messages_replies` does for `replied:`.
    """CREATE INDEX messages_reply_signals ON messages(influencer_id, reply_signal)
       WHERE direction = 'in' AND kind = 'reply'""",
]


def first_guess(subject: str, body: str, flags: list[str]) -> Guess:
    """The rules' guess for one incoming reply, from what is stored of it."""
    return guess(subject, body, auto_headers=AUTO_REPLY_FLAG in flags)


def kind_of(found: Guess) -> str:
    return AUTO_REPLY_KIND if found.auto_reply else "reply"


def record_guess(db: Database, message_row: int, found: Guess) -> None:
    """Store the rules' guess on a reply just stored."""
    db.conn.execute("UPDATE messages SET reply_signal = ?, reply_signal_by = ? WHERE id = ?",
                    (found.signal, AUTO, message_row))


def check_signal(text: str) -> str:
    signal = text.strip().lower()
    if signal not in SIGNALS:
        raise UserError(f"A reply is marked {', '.join(SIGNALS[:-1])} or {SIGNALS[-1]}, not {text!r}.")
    return signal


def latest_reply(db: Database, influencer_id: int, campaign_id: int | None = None) -> dict | None:
    """Their latest incoming reply (auto-replies included; in one campaign, or any), or None."""
    scope, params = ("AND campaign_id = ?", [campaign_id]) if campaign_id else ("", [])
    rows = list(db.query(
        f"""SELECT id, kind, campaign_id, reply_signal, reply_signal_by FROM messages
            WHERE influencer_id = ? AND direction = 'in' AND kind IN ('reply', 'auto-reply') {scope}
            ORDER BY created_at DESC, id DESC LIMIT 1""",
        [influencer_id, *params],
    ))
    return rows[0] if rows else None


@dataclass(frozen=True)
class Mark:
    """A mark set by an operator on one reply, and what it was before."""

    message_row: int
    signal: str
    previous: str
    was_auto_reply: bool


def set_mark(db: Database, influencer_id: int, signal: str, *, campaign_id: int | None = None, now: str,
             actor: str) -> Mark:
    """The operator's mark on their latest reply (in `campaign_id`'s part of the conversation, when
    given); a person wrote it, so an auto-reply becomes a reply."""
    operators.require(db, actor, "triage_inbox")
    signal = check_signal(signal)
    reply = latest_reply(db, influencer_id, campaign_id)
    if reply is None:
        raise UserError("There is no reply from them to mark.")
    db.conn.execute(
        """UPDATE messages SET kind = 'reply', reply_signal = ?, reply_signal_by = ?, updated_at = ?
           WHERE id = ?""",
        (signal, actor, now, reply["id"]),
    )
    was_auto = reply["kind"] == AUTO_REPLY_KIND
    previous = AUTO_REPLY_KIND if was_auto else (reply["reply_signal"] or "neutral")
    audit.record(db, at=now, actor=actor, action="message.signal", entity="message", entity_id=reply["id"],
                 campaign_id=reply["campaign_id"], signal=signal, previous=previous,
                 previous_by=reply["reply_signal_by"])
    return Mark(reply["id"], signal, previous, was_auto)


def guess_again(db: Database, influencer_id: int | None = None) -> int:
    """Apply the rules again to the replies (of one influencer, or all) no operator has marked;
    returns how many changed. The kind follows the guess: auto-reply or reply."""
    scope, params = ("AND influencer_id = ?", [influencer_id]) if influencer_id is not None else ("", [])
    rows = db.execute(
        f"""SELECT id, subject, body, flags, kind, reply_signal FROM messages
            WHERE direction = 'in' AND kind IN ('reply', 'auto-reply')
              AND (reply_signal_by IS NULL OR reply_signal_by = '{AUTO}') {scope}""",
        params,
    ).fetchall()
    changed = 0
    for row_id, subject, body, flags, kind, signal in rows:
        found = first_guess(subject or "", body or "", json.loads(flags or "[]"))
        if (kind_of(found), found.signal) != (kind, signal):
            db.conn.execute(
                "UPDATE messages SET kind = ?, reply_signal = ?, reply_signal_by = ? WHERE id = ?",
                (kind_of(found), found.signal, AUTO, row_id))
            changed += 1
    return changed


_SIGNS = {"positive": "+", "negative": "-", "neutral": "0"}


def label(entry: dict, me: str) -> str:
    """How a timeline entry's mark reads: `+ positive (you)`, `- negative (guess)`, `not counted as a
    reply` (an auto-reply); nothing for a reply nobody marked and the rules found neutral."""
    if entry.get("direction") != "in" or entry.get("kind") not in REPLY_KINDS:
        return ""
    if entry["kind"] == AUTO_REPLY_KIND:
        return "not counted as a reply"  # the kind, shown before it, says auto-reply
    signal, by = entry.get("signal"), entry.get("signal_by")
    if signal is None or (signal == NEUTRAL and by == AUTO):
        return ""
    who = "you" if by == me else "guess" if by == AUTO else by
    return f"{_SIGNS[signal]} {signal} ({who})"
