"""The inbox's actions: notes, read marks, bookmarks, stray mail, bounces, replies, bulk email, sync.

The `callsheet` commands and the Inbox screen call these alike; each one is one transaction
with its role check inside, and returns an `Outcome` whose sentence the front end shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from mailer import bulk, outgoing_files, own_addresses
from mailer.actions import pipeline
from mailer.actions.outcome import Outcome, acting, permit, woke
from mailer.compose import Draft, compose_draft, queue, reply_draft
from mailer.imap.sync import SyncReport, sync
from mailer.outgoing_files import OutgoingFile
from store import audit, bounces, campaigns, inbox, influencers, notes
from store.database import Database
from store.db import Store
from store.errors import UserError
from store.wording import plural


@dataclass(frozen=True, kw_only=True)
class NoteAdded(Outcome):
    influencer: str
    note_id: int


@dataclass(frozen=True, kw_only=True)
class Attached(Outcome):
    influencer: str
    message_row: int


@dataclass(frozen=True, kw_only=True)
class BounceCleared(Outcome):
    influencer: str


@dataclass(frozen=True, kw_only=True)
class Marked(Outcome):
    """Read state changed: `unread` is what the conversation is now, `count` the messages read."""

    unread: bool
    count: int = 0


@dataclass(frozen=True, kw_only=True)
class Bookmarked(Outcome):
    on: bool


@dataclass(frozen=True, kw_only=True)
class Queued(Outcome):
    """Mail put in the outbox: how many rows by status (`skipped`: suppressed recipients)."""

    counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class Invited(pipeline.Invited):
    """The Inbox's + : one person invited, named in the sentence."""

    influencer: str
    campaign: str


@dataclass(frozen=True, kw_only=True)
class Synced(Outcome):
    report: SyncReport


def _campaign_id(db: Database, name: str | None) -> int | None:
    return campaigns.get(db, name).id if name else None


def add_note(store: Store, handle: str, text: str) -> NoteAdded:
    """A note on an influencer, in their timeline."""
    with acting(store, "edit_influencer") as db:
        influencer = influencers.get_by_handle(db, handle)
        note_id = notes.add(db, influencer["id"], text, author=store.actor, now=store.now_iso())
    return NoteAdded(sentence=f"Added note #{note_id} to {influencer['handle']}.",
                     influencer=influencer["handle"], note_id=note_id)


def attach(store: Store, message_row: int, handle: str, campaign: str | None = None) -> Attached:
    """Stray received mail into an influencer's history (copies of our own mail as sent)."""
    with acting(store, "edit_influencer") as db:
        influencer = inbox.attach(db, message_row, handle, campaign_id=_campaign_id(db, campaign),
                                  now=store.now_iso(), actor=store.actor,
                                  own_addresses=own_addresses.configured())
    return Attached(sentence=f"Attached message #{message_row} to {influencer['handle']}.",
                    influencer=influencer["handle"], message_row=message_row)


def clear_bounce(store: Store, handle: str) -> BounceCleared:
    """Lift a false positive: they may be emailed again."""
    with acting(store, "edit_influencer") as db:
        influencer = bounces.clear(db, handle, now=store.now_iso(), actor=store.actor)
    return BounceCleared(sentence=f"Cleared the bounce on {influencer['handle']}; they can be emailed again.",
                         influencer=influencer["handle"])


def mark(store: Store, handle: str, *, read: bool) -> Marked:
    """`callsheet mark`: their mail read, or the conversation unread as a reminder."""
    with acting(store, "triage_inbox") as db:
        influencer = influencers.get_by_handle(db, handle)
        if not read:
            inbox.mark_unread(db, influencer["id"], now=store.now_iso(), actor=store.actor)
            return Marked(sentence=f"Marked the conversation with {influencer['handle']} unread.",
                          unread=True)
        count = inbox.mark_read(db, influencer["id"], now=store.now_iso(), actor=store.actor)
    return Marked(sentence=f"Marked {plural(count, 'message')} from {influencer['handle']} read.",
                  unread=False, count=count)


def mark_read(store: Store, influencer_id: int, campaign_id: int | None = None) -> Marked:
    """Opening a conversation reads it; a viewer reads without changing the read state."""
    if not store.may("triage_inbox"):
        return Marked(sentence="", unread=False)
    with acting(store, "triage_inbox") as db:
        count = inbox.mark_read(db, influencer_id, campaign_id, now=store.now_iso(), actor=store.actor)
    return Marked(sentence="Marked read.", unread=False, count=count)


def toggle_unread(store: Store, influencer_id: int) -> Marked:
    """The Inbox's N: read if anything is unread, else unread again."""
    with acting(store, "triage_inbox") as db:
        unread = inbox.toggle_unread(db, influencer_id, now=store.now_iso(), actor=store.actor)
    return Marked(sentence="Marked unread." if unread else "Marked read.", unread=unread)


def bookmark(store: Store, handle: str, *, on: bool) -> Bookmarked:
    """`callsheet bookmark`: set or remove the bookmark."""
    with acting(store, "triage_inbox") as db:
        influencer = influencers.get_by_handle(db, handle)
        inbox.set_bookmark(db, influencer["id"], on, now=store.now_iso(), actor=store.actor)
    done = "Bookmarked" if on else "Removed the bookmark from"
    return Bookmarked(sentence=f"{done} {influencer['handle']}.", on=on)


def toggle_bookmark(store: Store, influencer_id: int) -> Bookmarked:
    """The Inbox's b: flip the bookmark."""
    with acting(store, "triage_inbox") as db:
        on = inbox.toggle_bookmark(db, influencer_id, now=store.now_iso(), actor=store.actor)
    return Bookmarked(sentence="Bookmarked." if on else "Bookmark removed.", on=on)


def _send(db: Database, draft: Draft, now: str) -> str:
    """Queue one reply or new message under its author, on the audit trail; returns its status."""
    row, status = queue(db, draft, now=now)
    audit.record(db, at=now, actor=draft.author, action="message.reply" if draft.in_reply_to else
                 "message.compose", entity="message", entity_id=row, campaign_id=draft.campaign_id,
                 influencer_id=draft.influencer_id, status=status)
    return status


def _counted(statuses: list[str]) -> dict[str, int]:
    return {status: statuses.count(status) for status in sorted(set(statuses))}


def _queued_one(handle: str, status: str) -> str:
    if status == "skipped":
        return f"Not sent: {handle} is suppressed (unsubscribed or bounced); the outbox row says so."
    return f"Queued a message to {handle}."


def _queue(store: Store, db: Database, drafts: list[Draft]) -> Queued:
    """Queue single drafts in the caller's transaction; the sentence names them when there is one."""
    statuses = [_send(db, draft, store.now_iso()) for draft in drafts]
    if len(drafts) == 1:
        sentence = _queued_one(influencers.get(db, drafts[0].influencer_id)["handle"], statuses[0])
    else:
        sentence = f"Queued {plural(len(statuses), 'message')} in the outbox."
    return Queued(sentence=sentence, counts=_counted(statuses))


def _woke(store: Store, queued: Queued) -> Queued:
    return woke(store, queued, queued.counts.get("queued", 0))


def _ready(store: Store, files: Sequence[OutgoingFile]) -> None:
    """Refuse one who may not write before their files reach the disk, then store them there."""
    if files:
        permit(store, "write_message")
    outgoing_files.ready(store, files)


def _with_files(db: Database, store: Store, drafts: list[Draft],
                files: Sequence[OutgoingFile]) -> list[Draft]:
    """The drafts carrying `files`, stored once in this transaction however many drafts there are."""
    if not files:
        return drafts
    kept = outgoing_files.keep(db, files, now=store.now_iso())
    return [replace(draft, attachments=(*draft.attachments, *kept)) for draft in drafts]


def queue_drafts(store: Store, drafts: list[Draft], files: Sequence[OutgoingFile] = ()) -> Queued:
    """Queue replies or new messages written and previewed beforehand, all in one transaction."""
    _ready(store, files)
    with acting(store, "write_message") as db:
        queued = _queue(store, db, _with_files(db, store, drafts, files))
    return _woke(store, queued)


def reply(store: Store, handle: str, body: str, *, message_row: int | None = None, with_quote: bool = True,
          campaign: str | None = None, files: Sequence[OutgoingFile] = ()) -> Queued:
    """`callsheet reply`: threaded under the message it answers (their latest unless named)."""
    _ready(store, files)
    with acting(store, "write_message") as db:
        influencer = influencers.get_by_handle(db, handle)
        draft = reply_draft(db, influencer["id"], body, actor=store.actor, message_row=message_row,
                            with_quote=with_quote, campaign_id=_campaign_id(db, campaign))
        queued = _queue(store, db, _with_files(db, store, [draft], files))
    return _woke(store, queued)


def compose(store: Store, handle: str, subject: str, body: str, *, campaign: str | None = None,
            files: Sequence[OutgoingFile] = ()) -> Queued:
    """`callsheet compose`: a new message outside any thread."""
    _ready(store, files)
    with acting(store, "write_message") as db:
        influencer = influencers.get_by_handle(db, handle)
        draft = compose_draft(db, influencer["id"], subject, body, actor=store.actor,
                              campaign_id=_campaign_id(db, campaign))
        queued = _queue(store, db, _with_files(db, store, [draft], files))
    return _woke(store, queued)


def plan_bulk(store: Store, influencer_ids: list[int], campaign_id: int | None, subject: str,
              body: str) -> bulk.BulkPlan:
    """The preview of a bulk email (nothing written), refused up front to those who may not send."""
    permit(store, "write_message")
    db = store.reader()
    return bulk.plan(db, influencer_ids, bulk.templated(db, subject, body, campaign_id), actor=store.actor,
                     campaign_id=campaign_id)


def _queued_all(counts: dict[str, int]) -> str:
    """The sentence for counts by status: "Queued 3 messages; 1 skipped (unsubscribed or bounced)"."""
    others = [f"{n} {status}" + (" (unsubscribed or bounced)" if status == "skipped" else "")
              for status, n in sorted(counts.items()) if status != "queued"]
    return f"Queued {plural(counts.get('queued', 0), 'message')}" + "".join(f"; {o}" for o in others) + "."


def queue_bulk(store: Store, influencer_ids: list[int], campaign_id: int | None, subject: str, body: str,
               confirmed: int, files: Sequence[OutgoingFile] = ()) -> Queued:
    """Re-plan inside the transaction and queue all, or nothing if the count moved since the preview;
    `files` are stored once and every copy links to the same stored bytes."""
    _ready(store, files)
    with acting(store, "write_message") as db:
        final = bulk.plan(db, influencer_ids, bulk.templated(db, subject, body, campaign_id),
                          actor=store.actor, campaign_id=campaign_id)
        if final.count != confirmed:
            raise UserError("The selection changed while you were confirming; nothing was queued.")
        final.drafts = _with_files(db, store, final.drafts, files)
        counts = bulk.queue_all(db, final, now=store.now_iso(), actor=store.actor, campaign_id=campaign_id)
    return _woke(store, Queued(sentence=_queued_all(counts), counts=counts))


def invite(store: Store, campaign_id: int, influencer_id: int) -> Invited:
    """The Inbox's +: add them to a campaign's pipeline as invited (its invitation trigger included)."""
    db = store.reader()
    campaign, person = campaigns.get_by_id(db, campaign_id), influencers.get(db, influencer_id)
    moves = pipeline.invite(store, campaign.name, [person["handle"]]).moves
    said = "; ".join(str(move.note) for move in moves if getattr(move, "note", ""))
    sentence = f"Invited {person['handle']} to {campaign.name}." + (f" ({said})" if said else "")
    return Invited(sentence=sentence, moves=moves, influencer=person["handle"], campaign=campaign.name)


def _sync_sentence(report: SyncReport) -> str:
    unverified = (f" ({report.unverified_bounces} unverified, suppressing nobody: see `callsheet bounces`)"
                  if report.unverified_bounces else "")
    own = f"{plural(report.outgoing, 'copy', 'copies')} of our own mail, " if report.outgoing else ""
    if report.outgoing_skipped:
        skipped = plural(report.outgoing_skipped, "copy", "copies")
        own += f"{skipped} of our mail not kept (to nobody we know, or automatic), "
    auto = f" ({plural(report.auto_replies, 'auto-reply', 'auto-replies')})" if report.auto_replies else ""
    return (f"Fetched {plural(report.fetched, 'message')}: {report.matched} matched{auto}, "
            f"{report.unmatched} kept aside (see `callsheet unmatched`), "
            f"{plural(report.bounces, 'bounce')}{unverified}, "
            f"{plural(report.unsubscribes, 'unsubscribe')}, {own}"
            f"{plural(report.duplicates, 'duplicate')}{_skipped_parts(report)}.")


def _skipped_parts(report: SyncReport) -> str:
    if not report.attachments_skipped:
        return ""
    return (f"; {plural(report.attachments_skipped, 'attachment')} not kept (over the [attachments] "
            "size limits; `callsheet history` lists them)")


def sync_mail(store: Store, **options: Any) -> Synced:
    """A person's sync: refused before anything is fetched without the right (it applies bounces and
    unsubscribes), then the engine, which commits batch by batch; `options` go to `mailer.imap.sync.sync`."""
    permit(store, "sync_mail")
    report = sync(store, **options)
    return Synced(sentence=_sync_sentence(report), report=report)
