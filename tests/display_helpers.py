"""Seeding a small workspace whose every stored string is chosen by the test, and reading the screen."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual.app import App

from mailer.actions import pipeline
from store import notes
from store.clock import Clock
from store.db import Store
from store.outbox.queueing import enqueue
from tests.app_helpers import PINNED
from tests.pipeline_helpers import add_influencer, make_campaign

TOMORROW = "2026-11-24T09:00:00+00:00"


@dataclass(frozen=True)
class Texts:
    """The outside text a workspace holds: what a stranger or a colleague could have typed."""

    name: str
    handle: str
    note: str
    subject: str
    body: str
    campaign: str


def seeded_store(path: Path, texts: Texts) -> Store:
    """One campaign, one applicant with a note, a reply, a queued invitation and a failed mail.

    Everything is made with safe words through the real functions, then the stored text is
    overwritten with `texts` as it is: old rows, imports and other tools can hold anything.
    """
    store = Store(path, Clock.fixed(PINNED), actor="tester")
    campaign_id = make_campaign(store, "safe-campaign").id
    person = add_influencer(store, "safe-handle", followers=50_000)
    pipeline.apply(store, "safe-campaign", "safe-handle")
    with store.write() as db:
        notes.add(db, person, "safe note", author="tester", now=store.now_iso())
        mail = {"to_addr": "safe@example.com", "from_addr": "casting@brand.example", "subject": "safe",
                "body": "safe", "influencer_id": person, "campaign_id": campaign_id}
        enqueue(db, now=store.now_iso(), kind="invitation", status="planned", scheduled_at=TOMORROW, **mail)
        failed, _ = enqueue(db, now=store.now_iso(), kind="manual", **mail)
        reply, _ = enqueue(db, now=store.now_iso(), kind="reply", **mail)
        db.conn.execute("UPDATE messages SET status = 'failed' WHERE id = ?", (failed,))
        db.conn.execute("UPDATE messages SET direction = 'in', status = NULL, is_read = 0, "
                        "received_at = ? WHERE id = ?", (store.now_iso(), reply))
        db.conn.execute("UPDATE messages SET subject = ?, body = ?", (texts.subject, texts.body))
        db.conn.execute("UPDATE messages SET last_smtp_response = ? WHERE status = 'failed'",
                        (f"554 {texts.subject}",))
        db.conn.execute("UPDATE messages SET from_name = ? WHERE direction = 'in'", (texts.name,))
        db.conn.execute("UPDATE influencers SET name = ?, handle = ?", (texts.name, texts.handle))
        db.conn.execute("UPDATE notes SET body = ?", (texts.note,))
        db.conn.execute("UPDATE campaigns SET name = ?", (texts.campaign,))
    return store


def screen_segments(app: App) -> list[str]:
    """The text of every segment the screen (with its notifications) would send to the terminal."""
    return [segment.text for strip in app.screen._compositor.render_strips() for segment in strip]


def screen_text(app: App) -> str:
    """The screen as lines of plain text."""
    return "\n".join("".join(segment.text for segment in strip)
                     for strip in app.screen._compositor.render_strips())
