"""What the Inbox's workers read, as plain functions of the store (no widgets, testable alone);
what they change goes through `mailer.actions.inbox`."""

from __future__ import annotations

from dataclasses import dataclass

from mailer import bulk
from mailer.actions import inbox as inbox_actions
from mailer.compose import Draft, compose_draft, quote, replied_message, reply_draft, reply_subject
from store import bounces, contact, conversations, inbox, influencers, reply_marks, threads, timeline
from store.contact import InfluencerCard
from store.conversations import ConversationRow, Cursor, InboxFilter
from store.db import Store

PAGE = 100
MAX_RELOAD = 1000
PREVIEWS = 3


@dataclass(frozen=True)
class Page:
    rows: list[ConversationRow]
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
                      mark_read: bool) -> tuple[list[dict], InfluencerCard]:
    """The timeline and contact card, the conversation read first when `mark_read` (not by a viewer)."""
    if mark_read:
        inbox_actions.mark_read(store, influencer_id, campaign_id)
    db = store.reader()
    entries = [{**entry, "mark": reply_marks.label(entry, store.actor)}
               for entry in timeline.entries(db, influencer_id, campaign_id)]
    return entries, contact.card(db, influencer_id)


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


def preview_text(drafts: list[Draft]) -> str:
    shown = [f"From: {d.from_addr}\nTo: {d.to_addr}\nSubject: {d.subject}\n\n{d.body.rstrip()}"
             for d in drafts[:PREVIEWS]]
    more = f"\n\n… and {len(drafts) - PREVIEWS} more" if len(drafts) > PREVIEWS else ""
    return ("\n\n" + "─" * 40 + "\n\n").join(shown) + more


def unmatched(store: Store) -> list[dict]:
    return inbox.unmatched(store.reader())


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


def campaign_choices(store: Store) -> list[tuple[str, int]]:
    return [(row["name"], row["id"]) for row in store.reader().query(
        "SELECT id, name FROM campaigns ORDER BY created_at DESC, id DESC")]

