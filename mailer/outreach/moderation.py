"""What a moderator does to one of tomorrow's invitations: skip, unskip, approve, change language, edit.

Each decision writes the row and its audit event (the inbox timeline shows them) on the
transaction the action in `mailer/actions/outreach.py` opened. A message whose flags block
it (over the limit, missing data) stays `planned` and is never sent as it is; fixing it
(an edit, another language) makes it `queued` again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from mailer.outreach.invitation_edit import open_edit
from mailer.templating.drafting import Renderer, draft
from store import audit, campaigns, influencers
from store import moderation as queue
from store.database import Database
from store.errors import UserError
from store.moderation import MODERATOR_SKIP, Invitation
from store.outbox.queueing import one_line
from store.wording import plural

Decision = Callable[[Database, Invitation, str, str], None]  # (db, row, now, actor)


def describe(verb: str, done: list[int], refused: dict[int, str]) -> str:
    """The one line a bulk decision prints: how many, and why the others were left."""
    line = f"{verb} {plural(len(done), 'invitation')}"
    if refused:
        reasons = sorted(set(refused.values()))
        line += f"; {len(refused)} left as they were ({'; '.join(reasons)})"
    return line + "."


def _record(db: Database, row: Invitation, action: str, now: str, actor: str, **detail: object) -> None:
    audit.record(db, at=now, actor=actor, action=f"moderation.{action}", entity="message",
                 entity_id=row.id, campaign_id=row.campaign_id, influencer_id=row.influencer_id,
                 handle=row.handle, **detail)


def each(db: Database, ids: Iterable[int], decision: Decision, *, now: str,
         actor: str) -> tuple[list[int], dict[int, str]]:
    """Apply `decision` to every invitation: (ids done, {id: why it was refused})."""
    done: list[int] = []
    refused: dict[int, str] = {}
    for message_id in ids:
        try:
            decision(db, queue.message(db, message_id), now, actor)
        except UserError as refusal:
            refused[message_id] = str(refusal).rstrip(".")
        else:
            done.append(message_id)
    return done, refused


def skip_one(db: Database, row: Invitation, now: str, actor: str) -> None:
    """Skip an invitation: it will not be sent (until unskipped)."""
    if row.status == "skipped":
        raise UserError("already skipped")
    queue.update(db, row, now=now, flags={*row.flags, MODERATOR_SKIP}, skipped=True)
    _record(db, row, "skip", now, actor)


def unskip_one(db: Database, row: Invitation, now: str, actor: str) -> None:
    """Put a moderator's skip back: it goes out at its time (a flagged one still waits for a fix)."""
    if row.status != "skipped":
        raise UserError("not skipped")
    if MODERATOR_SKIP not in row.flags:
        reason = next((f for f in row.flags if f != MODERATOR_SKIP), "a rule")
        raise UserError(f"skipped for {reason}, not by a moderator")
    queue.update(db, row, now=now, flags=set(row.flags) - {MODERATOR_SKIP}, skipped=False)
    _record(db, row, "unskip", now, actor)


def approve_one(db: Database, row: Invitation, now: str, actor: str) -> None:
    """Mark an invitation as reviewed; a flagged or skipped one is left for an edit or an unskip."""
    if row.status == "skipped":
        raise UserError("skipped")
    if queue.is_blocked(row.flags):
        raise UserError("flagged, edit first")
    if row.approved_by:
        raise UserError("already approved")
    queue.update(db, row, now=now, flags=set(row.flags), approved_by=actor)
    _record(db, row, "approve", now, actor)


def _content_flags(row: Invitation, length: int, *, missing: bool) -> set[str]:
    flags = set(row.flags) - {"over_limit", "missing_data"}
    if missing:
        flags.add("missing_data")
    elif length > row.invite_limit:
        flags.add("over_limit")
    return flags


def relanguage_one(db: Database, message_id: int, language: str, renderer: Renderer, *, now: str,
                   actor: str) -> Invitation:
    """Re-render one invitation in `language`; returns the updated row."""
    row = queue.message(db, message_id)
    campaign = campaigns.get_by_id(db, row.campaign_id)
    person = influencers.get(db, row.influencer_id)
    text = draft(db, renderer, campaign, "invitation", person, language=language)
    flags = _content_flags(row, text.length, missing="missing_data" in text.flags)
    queue.update(db, row, now=now, flags=flags, language=text.language, subject=text.subject,
                 body=text.body, body_html=text.body_html, approved_by=None)
    queue.keep_edit_source(db, message_id, None)  # the campaign's template again, in the new language
    _record(db, row, "language", now, actor, **{"from": row.language, "to": text.language})
    return queue.message(db, message_id)


def next_language(row: Invitation) -> str:
    """The campaign's language after this message's one, round the list."""
    return cycle_language(row.campaign_languages, row.language, row.influencer_language)


def cycle_language(campaign_languages: Sequence[str], language: str | None,
                   influencer_language: str | None) -> str:
    """The language after `language` among the campaign's (and the influencer's own), round the list."""
    languages = list(campaign_languages)
    if influencer_language and influencer_language not in languages:
        languages = [*languages, influencer_language]
    current = languages.index(language) if language in languages else -1
    return languages[(current + 1) % len(languages)]


def edit_one(db: Database, message_id: int, subject: str | None, body: str, renderer: Renderer, *,
             now: str, actor: str) -> Invitation:
    """Replace one invitation's template (subject None: keep it) and re-render it; the updated row."""
    session = open_edit(db, message_id, renderer)
    source = (session.subject if subject is None else subject, body)
    text = session.render(*source)
    length = renderer.measure(text)
    row = session.row
    flags = _content_flags(row, length, missing=False)
    queue.update(db, row, now=now, flags=flags, subject=one_line(text.subject), body=text.body,
                 body_html=None, approved_by=None, author=actor)
    queue.keep_edit_source(db, message_id, source)
    _record(db, row, "edit", now, actor, length=length, limit=row.invite_limit,
            over_limit=length > row.invite_limit)
    return queue.message(db, message_id)
