"""What the Inbox's workers do, as plain functions of the store (no widgets, testable alone)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from mailer import bulk, own_addresses
from mailer.compose import (
    Draft,
    compose_draft,
    quote,
    replied_message,
    reply_draft,
    reply_subject,
    send_draft,
)
from store import bounces, contact, conversations, inbox, influencers, threads, timeline
from store.conversations import Cursor, InboxFilter
from store.db import Store
from store.errors import UserError

PAGE = 100
MAX_RELOAD = 1000
PREVIEWS = 3


@dataclass(frozen=True)
class Page:
    rows: list[dict]
    more: bool
    summary: str


def load_page(store: Store, flt: InboxFilter, after: Cursor | None, size: int = 0) -> Page:
    """The next page, or on a reload the first `size` rows (so the cursor keeps its place)."""
    db = store.reader()
    wanted = min(max(size, PAGE), MAX_RELOAD)
    rows = conversations.page(db, flt, now=store.now_iso(), after=after, limit=wanted + 1)
    more = len(rows) > wanted
    rows = rows[:wanted]
    if flt.text or flt.query or flt.bookmarked or flt.unread_only:
        summary = f"{len(rows)}{'+' if more else ''} matching"
    else:
        total, unread = conversations.counts(db, flt.campaign_id)
        summary = f"{total} conversations · {unread} unread"
    return Page(rows, more, summary)


def open_conversation(store: Store, influencer_id: int, campaign_id: int | None,
                      mark_read: bool) -> tuple[list[dict], dict]:
    if mark_read and store.may("triage_inbox"):  # a viewer reads without changing read state
        with store.write() as db:
            inbox.mark_read(db, influencer_id, campaign_id, now=store.now_iso(), actor=store.actor)
    db = store.reader()
    return timeline.entries(db, influencer_id, campaign_id), contact.card(db, influencer_id)


def reply_start(store: Store, influencer_id: int, campaign_id: int | None) -> tuple[int, str, str, str]:
    """(message row, recipient line, subject, quote) a reply starts from."""
    db = store.reader()
    original = replied_message(db, influencer_id, campaign_id=campaign_id)
    to = original["from_addr"] if original["direction"] == "in" else original["to_addr"]
    return original["id"], f"To: {to}", reply_subject(original["subject"]), quote(original)


def reply_drafts(store: Store, influencer_id: int, message_row: int, subject: str, body: str) -> list[Draft]:
    return [reply_draft(store.reader(), influencer_id, body, actor=store.actor, message_row=message_row,
                        with_quote=False, subject=subject)]


def compose_campaign(store: Store, influencer_id: int, campaign_id: int | None) -> int | None:
    """The campaign a new message is filed under: the filter's, else their latest."""
    return campaign_id or threads.latest_campaign(store.reader(), influencer_id)


def compose_drafts(store: Store, influencer_id: int, campaign_id: int | None, subject: str,
                   body: str) -> list[Draft]:
    """One draft, its subject and body rendered as templates for this influencer."""
    db = store.reader()
    campaign = compose_campaign(store, influencer_id, campaign_id)
    person = influencers.get(db, influencer_id)
    subject, body = bulk.templated(db, subject, body, campaign)(person)
    return [compose_draft(db, influencer_id, subject, body, actor=store.actor, campaign_id=campaign)]


def template_source(store: Store, campaign_id: int | None, kind: str) -> tuple[str, str]:
    return bulk.template_source(store.reader(), campaign_id, kind)


def bulk_plan(store: Store, influencer_ids: list[int], campaign_id: int | None, subject: str,
              body: str) -> bulk.BulkPlan:
    db = store.reader()
    return bulk.plan(db, influencer_ids, bulk.templated(db, subject, body, campaign_id), actor=store.actor,
                     campaign_id=campaign_id)


def preview_text(drafts: list[Draft]) -> str:
    shown = [f"From: {d.from_addr}\nTo: {d.to_addr}\nSubject: {d.subject}\n\n{d.body.rstrip()}"
             for d in drafts[:PREVIEWS]]
    more = f"\n\n… and {len(drafts) - PREVIEWS} more" if len(drafts) > PREVIEWS else ""
    return ("\n\n" + "─" * 40 + "\n\n").join(shown) + more


def queue_drafts(store: Store, drafts: list[Draft]) -> str:
    """Queue single drafts (reply or compose) in one transaction; says what happened."""
    with store.write() as db:
        store.require("write_message")
        statuses = [send_draft(db, draft, now=store.now_iso())[1] for draft in drafts]
    if statuses == ["skipped"]:
        return "Not sent: they are unsubscribed or bounced (the outbox row says so)."
    return f"Queued {len(statuses)} message{'s' * (len(statuses) != 1)} in the outbox."


def queue_bulk(store: Store, influencer_ids: list[int], campaign_id: int | None, subject: str, body: str,
               confirmed: int) -> str:
    """Re-plan inside the transaction and queue all, or nothing if the count moved."""
    with store.write() as db:
        store.require("write_message")
        final = bulk.plan(db, influencer_ids, bulk.templated(db, subject, body, campaign_id),
                          actor=store.actor, campaign_id=campaign_id)
        if final.count != confirmed:
            raise UserError("The selection changed since the preview; nothing was queued.")
        counts = bulk.queue_all(db, final, now=store.now_iso(), actor=store.actor, campaign_id=campaign_id)
    return "Queued " + ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) + "."


def toggle_unread(store: Store, influencer_id: int) -> str:
    with store.write() as db:
        unread = inbox.toggle_unread(db, influencer_id, now=store.now_iso(), actor=store.actor)
    return "Marked unread." if unread else "Marked read."


def toggle_bookmark(store: Store, influencer_id: int) -> str:
    with store.write() as db:
        on = inbox.toggle_bookmark(db, influencer_id, now=store.now_iso(), actor=store.actor)
    return "Bookmarked." if on else "Bookmark removed."


def add_note(store: Store, influencer_id: int, text: str) -> str:
    from store import notes

    with store.write() as db:
        store.require("edit_influencer")
        notes.add(db, influencer_id, text, author=store.actor, now=store.now_iso())
    return "Note added."


def invite(store: Store, campaign_id: int, influencer_id: int) -> str:
    """`+`: add them to a campaign's pipeline as invited (its invitation trigger included)."""
    from mailer.actions import pipeline
    from store import campaigns

    db = store.reader()
    campaign, person = campaigns.get_by_id(db, campaign_id), influencers.get(db, influencer_id)
    moves = pipeline.invite(store, campaign["name"], [person["handle"]]).moves
    notes = "; ".join(move.note for move in moves if getattr(move, "note", ""))
    return f"Invited {person['handle']} to {campaign['name']}." + (f" ({notes})" if notes else "")


def unmatched(store: Store) -> list[dict]:
    return inbox.unmatched(store.reader())


def attach(store: Store, message_row: int, influencer_id: int) -> str:
    with store.write() as db:
        store.require("edit_influencer")
        person = influencers.get(db, influencer_id)
        inbox.attach(db, message_row, person["handle"], now=store.now_iso(), actor=store.actor,
                     own_addresses=own_addresses.configured())
    return f"Attached message #{message_row} to {person['handle']}."


def bounce_rows(store: Store) -> list[dict]:
    """Bounced influencers, then unverified reports, each with its report's text for the inspector."""
    db = store.reader()
    rows = bounces.inspector(db)
    for row in rows:
        if row["state"] == "unverified":
            row["report"] = bounces.report_text(db, row["report_id"])
            continue
        report = bounces.report(db, row["influencer_id"])
        row["report"] = report["body"] if report else "(no report stored: marked by the SMTP dispatcher)"
    return rows


def clear_bounce(store: Store, handle: str) -> str:
    with store.write() as db:
        store.require("edit_influencer")
        bounces.clear(db, handle, now=store.now_iso(), actor=store.actor)
    return f"Cleared the bounce on {handle}; they can be emailed again."


def campaign_choices(store: Store) -> list[tuple[str, int]]:
    return [(row["name"], row["id"]) for row in store.reader().query(
        "SELECT id, name FROM campaigns ORDER BY created_at DESC, id DESC")]


Commit = Callable[[], str]
