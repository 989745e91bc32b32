"""`callsheet inbox | history | note | mark | bookmark | unmatched | attach`: conversations from scripts."""

from __future__ import annotations

import click

from mailer.actions import inbox as inbox_actions
from mailer.actions import reply_signals
from store import campaigns, conversations, inbox, influencers, timeline
from store.conversations import ConversationRow, InboxFilter
from store.errors import UserError
from tui.context import CliContext
from tui.output import emit_json, emit_table


def campaign_id(db, name: str | None) -> int | None:
    return campaigns.get(db, name).id if name else None


def _all_pages(store, flt: InboxFilter, limit: int) -> list[ConversationRow]:
    rows: list[ConversationRow] = []
    after = None
    db = store.reader()
    while True:
        size = conversations.PAGE * 4 if not limit else min(conversations.PAGE * 4, limit - len(rows))
        chunk = conversations.page(db, flt, now=store.now_iso(), after=after, limit=size)
        rows += chunk
        if len(chunk) < size or (limit and len(rows) >= limit):
            return rows
        after = conversations.cursor_after(chunk[-1])


@click.command("inbox")
@click.option("--unread", "unread_only", is_flag=True, help="Only conversations with unread mail.")
@click.option("--campaign", "campaign", metavar="NAME", help="Only messages of this campaign.")
@click.option("--bookmarked", is_flag=True, help="Only bookmarked influencers.")
@click.option("--search", "text", default="", metavar="WORDS", help="Full-text search over messages.")
@click.option("--query", default="", metavar="QUERY", help="Filter influencers with the query syntax.")
@click.option("--limit", type=click.IntRange(min=0), default=0, help="At most N conversations (0: all).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def inbox_command(obj: CliContext, unread_only: bool, campaign: str | None, bookmarked: bool, text: str,
                  query: str, limit: int, as_json: bool) -> None:
    """Conversations, unread first, then by their latest message."""
    store = obj.store
    flt = InboxFilter(campaign_id(store.reader(), campaign), bookmarked, unread_only, text, query)
    rows = _all_pages(store, flt, limit)
    if as_json:
        emit_json([{"handle": r.handle, "unread": r.unread, "last_at": r.last_at or None,
                    "messages": r.total, "last_subject": r.last_subject,
                    "last_direction": r.last_direction, "bookmarked": r.bookmarked}
                   for r in rows])
        return
    emit_table(["handle", "unread", "last_at", "last subject"],
               [[r.handle, r.unread or "", r.last_at, r.last_subject[:60]] for r in rows])


@click.command("history")
@click.argument("handle")
@click.option("--campaign", "campaign", metavar="NAME", help="Only this campaign's part of the history.")
@click.option("--limit", type=click.IntRange(min=1), default=timeline.LIMIT, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def history(obj: CliContext, handle: str, campaign: str | None, limit: int, as_json: bool) -> None:
    """One influencer's timeline: messages, stage changes, moderation and notes."""
    db = obj.store.reader()
    influencer = influencers.get_by_handle(db, handle)
    entries = timeline.entries(db, influencer["id"], campaign_id(db, campaign), limit)
    if as_json:
        emit_json([{"at": e["at"], "direction": e["direction"], "kind": e["kind"],
                    "subject": e["subject"], "status": e["status"], "entry": e["entry"], "id": e["id"],
                    "campaign_id": e["campaign_id"], "flags": e["flags"],
                    "smtp_response": e["last_smtp_response"], "body": e["body"],
                    "actor": e["actor"], "signal": e["signal"], "signal_by": e["signal_by"],
                    "attachments": [
                        {k: v for k, v in item.items() if k != "label"} for item in e.get("attachments", [])]}
                   for e in entries])
        return
    emit_table(["at", "dir", "kind", "subject", "status", "files"],
               [[e["at"], e["direction"] or "", e["kind"], (e["subject"] or "")[:60], e["status"] or "",
                 "; ".join(item["label"] for item in e.get("attachments", []))] for e in entries])


@click.command("note")
@click.argument("handle")
@click.argument("text")
@click.pass_obj
def note(obj: CliContext, handle: str, text: str) -> None:
    """Add a note to an influencer."""
    click.echo(inbox_actions.add_note(obj.store, handle, text).sentence)


@click.command("mark")
@click.argument("handle")
@click.argument("signal", required=False)
@click.option("--read/--unread", "read", default=None, help="Mark their mail read (default) or unread.")
@click.pass_obj
def mark(obj: CliContext, handle: str, signal: str | None, read: bool | None) -> None:
    """Mark a conversation read or unread, or their latest reply positive, negative or neutral."""
    if signal is not None and read is not None:
        raise UserError("Mark a reply's signal or the read state, one at a time.")
    if signal is not None:
        click.echo(reply_signals.mark_reply(obj.store, handle, signal).sentence)
        return
    click.echo(inbox_actions.mark(obj.store, handle, read=read is not False).sentence)


@click.command("bookmark")
@click.argument("handle")
@click.option("--off", is_flag=True, help="Remove the bookmark.")
@click.pass_obj
def bookmark(obj: CliContext, handle: str, off: bool) -> None:
    """Bookmark an influencer (or remove the bookmark)."""
    click.echo(inbox_actions.bookmark(obj.store, handle, on=not off).sentence)


@click.command("unmatched")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def unmatched(obj: CliContext, as_json: bool) -> None:
    """Received mail that matched nobody, kept aside to attach by hand."""
    rows = inbox.unmatched(obj.store.reader())
    if as_json:
        emit_json(rows)
        return
    emit_table(["id", "received", "kind", "from", "subject"],
               [[r["id"], r["created_at"], r["kind"], r["from_addr"] or "", (r["subject"] or "")[:60]]
                for r in rows])


@click.command("attach")
@click.argument("message_id", type=int, metavar="ID")
@click.argument("handle")
@click.option("--campaign", "campaign", metavar="NAME", help="File it under this campaign.")
@click.pass_obj
def attach(obj: CliContext, message_id: int, handle: str, campaign: str | None) -> None:
    """Attach received message ID (see `unmatched`) to an influencer's history."""
    click.echo(inbox_actions.attach(obj.store, message_id, handle, campaign).sentence)


COMMANDS = (inbox_command, history, note, mark, bookmark, unmatched, attach)
