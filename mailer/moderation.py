"""What a moderator does to tomorrow's invitations: skip, unskip, approve, change language, edit.

Each decision is one transaction with its audit event (the inbox timeline shows them).
A message whose flags block it (over the limit, missing data) stays `planned` and is
never sent as it is; fixing it (an edit, another language) makes it `queued` again.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlite_utils import Database

from mailer.drafting import Renderer, draft, measure_text
from store import audit, campaigns, influencers
from store import moderation as queue
from store.db import Store
from store.errors import UserError
from store.moderation import MODERATOR_SKIP
from store.outbox import one_line
from store.wording import plural


@dataclass
class Outcome:
    """What a bulk decision did, for the one line the CLI and the pane print."""

    done: list[int] = field(default_factory=list)
    refused: dict[int, str] = field(default_factory=dict)

    def describe(self, verb: str) -> str:
        line = f"{verb} {plural(len(self.done), 'invitation')}"
        if self.refused:
            reasons = sorted(set(self.refused.values()))
            line += f"; {len(self.refused)} left as they were ({'; '.join(reasons)})"
        return line + "."


def _record(db: Database, store: Store, row: dict, action: str, **detail: object) -> None:
    audit.record(db, at=store.now_iso(), actor=store.actor, action=f"moderation.{action}", entity="message",
                 entity_id=row["id"], campaign_id=row["campaign_id"], influencer_id=row["influencer_id"],
                 handle=row["handle"], **detail)


def _each(store: Store, ids: Iterable[int], act) -> Outcome:
    outcome = Outcome()
    with store.write() as db:
        store.require("moderate")
        for message_id in ids:
            try:
                row = queue.message(db, message_id)
                act(db, row)
            except UserError as refusal:
                outcome.refused[message_id] = str(refusal).rstrip(".")
            else:
                outcome.done.append(message_id)
    return outcome


def skip(store: Store, ids: Iterable[int]) -> Outcome:
    """Skip invitations: they will not be sent (until unskipped)."""
    def act(db: Database, row: dict) -> None:
        if row["status"] == "skipped":
            raise UserError("already skipped")
        queue.update(db, row, now=store.now_iso(), flags={*row["flags"], MODERATOR_SKIP}, skipped=True)
        _record(db, store, row, "skip")
    return _each(store, ids, act)


def unskip(store: Store, ids: Iterable[int]) -> Outcome:
    """Put skipped invitations back: they go out at their time (flagged ones still wait for a fix)."""
    def act(db: Database, row: dict) -> None:
        if row["status"] != "skipped":
            raise UserError("not skipped")
        if MODERATOR_SKIP not in row["flags"]:
            reason = next((f for f in row["flags"] if f != MODERATOR_SKIP), "a rule")
            raise UserError(f"skipped for {reason}, not by a moderator")
        queue.update(db, row, now=store.now_iso(), flags=set(row["flags"]) - {MODERATOR_SKIP}, skipped=False)
        _record(db, store, row, "unskip")
    return _each(store, ids, act)


def approve(store: Store, ids: Iterable[int]) -> Outcome:
    """Mark invitations as reviewed; flagged or skipped ones are left for an edit or an unskip."""
    def act(db: Database, row: dict) -> None:
        if row["status"] == "skipped":
            raise UserError("skipped")
        if queue.is_blocked(row["flags"]):
            raise UserError("flagged, edit first")
        if row["approved_by"]:
            raise UserError("already approved")
        queue.update(db, row, now=store.now_iso(), flags=set(row["flags"]), approved_by=store.actor)
        _record(db, store, row, "approve")
    return _each(store, ids, act)


def _content_flags(row: dict, length: int, *, missing: bool) -> set[str]:
    flags = set(row["flags"]) - {"over_limit", "missing_data"}
    if missing:
        flags.add("missing_data")
    elif length > row["invite_limit"]:
        flags.add("over_limit")
    return flags


def change_language(store: Store, message_id: int, language: str,
                    renderer: Renderer | None = None) -> dict:
    """Re-render one invitation in `language`; returns the updated row."""
    renderer = renderer or Renderer.default()
    with store.write() as db:
        store.require("moderate")
        row = queue.message(db, message_id)
        campaign = campaigns.get_by_id(db, row["campaign_id"])
        person = influencers.get(db, row["influencer_id"])
        text = draft(db, renderer, campaign, "invitation", person, language=language)
        flags = _content_flags(row, text.length, missing="missing_data" in text.flags)
        queue.update(db, row, now=store.now_iso(), flags=flags, language=text.language, subject=text.subject,
                     body=text.body, body_html=text.body_html, approved_by=None)
        _record(db, store, row, "language", **{"from": row["language"], "to": text.language})
        return queue.message(db, message_id)


def next_language(row: dict) -> str:
    """The campaign's language after this message's one, round the list."""
    languages = row["campaign_languages"]
    languages = json.loads(languages) if isinstance(languages, str) else languages
    if row["influencer_language"] and row["influencer_language"] not in languages:
        languages = [*languages, row["influencer_language"]]
    current = languages.index(row["language"]) if row["language"] in languages else -1
    return languages[(current + 1) % len(languages)]


def edit(store: Store, message_id: int, subject: str, body: str, renderer: Renderer | None = None) -> dict:
    """Replace one invitation's text; the limit is checked again on what was written."""
    if not body.strip():
        raise UserError("An invitation cannot be empty.")
    subject = one_line(subject)
    renderer = renderer or Renderer.default()
    with store.write() as db:
        store.require("moderate")
        row = queue.message(db, message_id)
        length = measure_text(renderer, "invitation", row["language"], subject, body)
        flags = _content_flags(row, length, missing=False)
        queue.update(db, row, now=store.now_iso(), flags=flags, subject=subject, body=body, body_html=None,
                     approved_by=None)
        _record(db, store, row, "edit", length=length, limit=row["invite_limit"],
                over_limit=length > row["invite_limit"])
        return queue.message(db, message_id)
