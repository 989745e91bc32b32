"""Stored email templates: one subject and body per campaign, kind and language."""

from __future__ import annotations

import re

from store import audit
from store.database import Database
from store.errors import UserError

BASE_KINDS = ("invitation", "welcome", "acknowledgement", "accepted", "rejected", "agreement",
              "congratulations", "bummer")
_FOLLOWUP = re.compile(r"^followup-([1-9][0-9]?)$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")


def parse_kind(text: str) -> str:
    """A template kind of SPEC §8, or one sentence listing them."""
    kind = text.strip().lower()
    if kind in BASE_KINDS or _FOLLOWUP.match(kind):
        return kind
    raise UserError(
        f"Unknown template kind {text!r}; kinds are {', '.join(BASE_KINDS)} and followup-N (N from 1 to 99)."
    )


def followup_number(kind: str) -> int | None:
    match = _FOLLOWUP.match(kind)
    return int(match.group(1)) if match else None


def parse_language(text: str) -> str:
    language = text.strip().lower()
    if not _LANGUAGE.match(language):
        raise UserError(f"A language is a 2- or 3-letter ISO code such as 'en' or 'fr' (got {text!r}).")
    return language


def find(db: Database, campaign_id: int, kind: str, language: str) -> dict | None:
    rows = list(db.query(
        "SELECT * FROM templates WHERE campaign_id = ? AND kind = ? AND language = ?",
        [campaign_id, kind, language],
    ))
    return rows[0] if rows else None


def listing(db: Database, campaign_id: int) -> list[dict]:
    return list(db.query(
        "SELECT * FROM templates WHERE campaign_id = ? ORDER BY kind, language", [campaign_id]
    ))


def save(
    db: Database,
    *,
    campaign_id: int,
    kind: str,
    language: str,
    subject: str,
    body: str,
    body_html: str | None,
    actor: str,
    now: str,
) -> None:
    """Insert or replace one template; the caller has checked it renders."""
    db.conn.execute(
        """INSERT INTO templates (campaign_id, kind, language, subject, body, body_html, updated_by,
               updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (campaign_id, kind, language) DO UPDATE SET subject = excluded.subject,
               body = excluded.body, body_html = excluded.body_html,
               updated_by = excluded.updated_by, updated_at = excluded.updated_at""",
        (campaign_id, kind, language, subject, body, body_html, actor, now),
    )
    audit.record(db, at=now, actor=actor, action="template.set", entity="template",
                 campaign_id=campaign_id, kind=kind, language=language)


def custom_variable_names(db: Database) -> list[str]:
    """Every custom variable some influencer has: names a template may use."""
    return [row[0] for row in db.execute(
        "SELECT DISTINCT j.key FROM influencers, json_each(influencers.custom) AS j ORDER BY 1"
    ).fetchall()]
