"""Building outreach scenarios: campaigns, influencers, accepts and replies on a real store."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from jinja2 import StrictUndefined, UndefinedError
from jinja2.sandbox import SandboxedEnvironment

from mailer.templating.drafting import Renderer
from store import campaigns
from store.campaigns import Campaign, CampaignSpec
from store.clock import iso
from store.db import Store
from store.errors import UserError

TEMPLATES = {
    ("invitation", "en"): ("Casting for {{ campaign }}", "Hi {{ first_name }}, join {{ campaign }}?"),
    ("invitation", "fr"): ("Casting {{ campaign }}",
                           "Bonjour {{ first_name }}, partante pour {{ campaign }} ?"),
    ("welcome", "en"): ("Welcome", "Welcome aboard, {{ first_name }}!"),
    ("welcome", "fr"): ("Bienvenue", "Bienvenue, {{ first_name }} !"),
    ("followup-1", "en"): ("How is it going?", "Any questions, {{ first_name }}?"),
    ("followup-2", "en"): ("Checking in", "Still with us, {{ first_name }}?"),
}
_env = SandboxedEnvironment(undefined=StrictUndefined)


class TinyRenderer:
    """A small stand-in for mailer.templating.rendering.render with the same signature and failure type."""

    def __init__(self, overrides: dict | None = None) -> None:
        self.templates = {**TEMPLATES, **(overrides or {})}

    def __call__(self, db: Any, campaign: Campaign, kind: str, influencer: dict, *,
                 language: str | None = None, extra: dict | None = None,
                 source: tuple[str, str] | None = None) -> Any:
        from types import SimpleNamespace

        wanted = language or influencer.get("language") or campaign.languages[0]
        if (kind, wanted) not in self.templates:
            wanted = campaign.languages[0]
        subject, body = source or self.templates[(kind, wanted)]
        custom = influencer["custom"]
        custom = json.loads(custom) if isinstance(custom, str) else custom
        context = {"first_name": influencer["first_name"], "campaign": campaign.name, **custom}
        try:
            return SimpleNamespace(kind=kind, language=wanted,
                                   subject=_env.from_string(subject).render(context),
                                   body=_env.from_string(body).render(context), body_html=None)
        except UndefinedError as error:
            raise UserError(f"Template {kind} ({wanted}): {error.message}.") from None


    def source(self, db: Any, campaign: Campaign, kind: str, language: str) -> tuple[str, str]:
        return self.templates.get((kind, language)) or self.templates[(kind, campaign.languages[0])]


def tiny_renderer(overrides: dict | None = None) -> Renderer:
    tiny = TinyRenderer(overrides)
    return Renderer(tiny, lambda rendered: len(rendered.body.strip()), tiny.source)


def make_campaign(store: Store, name: str = "Spring", **options: Any) -> Campaign:
    options.setdefault("segment", "has:email")  # everyone with an address: the planner needs a segment
    spec = CampaignSpec(name=name, sender=options.pop("sender", "casting@brand.example"), **options)
    with store.write() as db:
        return campaigns.create(db, spec, actor=store.actor, now=store.now_iso())


def add_influencers(store: Store, count: int, *, start: int = 0, language: str = "en",
                    custom: dict | None = None, **columns: Any) -> list[int]:
    """Insert `count` influencers handle0…; followers fall with the index so the order is known."""
    now = store.now_iso()
    rows = [{"handle": f"person{n}", "name": f"Person {n}", "first_name": f"P{n}",
             "email": f"person{n}@mail.example", "followers": 1_000_000 - n, "language": language,
             "custom": json.dumps(custom or {}), "created_at": now, "updated_at": now, **columns}
            for n in range(start, start + count)]
    with store.write() as db:
        keys = list(rows[0])
        db.conn.executemany(
            f"INSERT INTO influencers ({', '.join(keys)}) VALUES ({', '.join('?' * len(keys))})",
            [[row[k] for k in keys] for row in rows])
        return [r[0] for r in db.execute(
            "SELECT id FROM influencers WHERE handle IN (SELECT value FROM json_each(?)) ORDER BY id",
            (json.dumps([row["handle"] for row in rows]),))]


def accept(store: Store, campaign: Campaign, influencer_id: int, at: datetime) -> None:
    """The invited influencer says yes: invited → to review, with the pipeline's audit event."""
    with store.write() as db:
        db.conn.execute("UPDATE applications SET stage = 'to review', updated_at = ? "
                        "WHERE campaign_id = ? AND influencer_id = ?",
                        (iso(at), campaign.id, influencer_id))
        app_id = db.execute("SELECT id FROM applications WHERE campaign_id = ? AND influencer_id = ?",
                            (campaign.id, influencer_id)).fetchone()[0]
        db.conn.execute(
            """INSERT INTO audit_events (at, actor, action, entity, entity_id, campaign_id, detail)
               VALUES (?, 'tester', 'application.stage', 'application', ?, ?, ?)""",
            (iso(at), app_id, campaign.id, json.dumps({"from": "invited", "to": "to review"})))


def message(store: Store, influencer_id: int, at: datetime, *, direction: str = "in",
            kind: str = "reply", campaign_id: int | None = None) -> None:
    """A message in the conversation history (a reply from them, or a hand-written one to them)."""
    with store.write() as db:
        db.conn.execute(
            """INSERT INTO messages (influencer_id, campaign_id, direction, kind, subject, body, status,
                   from_addr, received_at, created_at, updated_at)
               VALUES (?, ?, ?, ?, 'Re', 'hello', ?, 'casting@brand.example', ?, ?, ?)""",
            (influencer_id, campaign_id, direction, kind, "sent" if direction == "out" else None,
             iso(at) if direction == "in" else None, iso(at), iso(at)))


def rows(store: Store, sql: str, params: tuple = ()) -> list[dict]:
    return [dict(row) for row in store.writer.query(sql, params)]


def fake_send(store: Store, now: datetime) -> int:
    """Mark every due queued message sent, as a dispatcher would (no SMTP: that is not what is tested)."""
    with store.write() as db:
        cursor = db.conn.execute(
            "UPDATE messages SET status = 'sent', sent_at = ?, attempts = attempts + 1 "
            "WHERE status IN ('queued', 'deferred') AND next_attempt_at <= ?", (iso(now), iso(now)))
        return cursor.rowcount
