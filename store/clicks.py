"""Tracked links: the targets templates name (`link_targets`) and the clicks on them (`clicks`).

A template's `{{ track("https://…") }}` becomes `<public_url>/t/<message token>/<target id>`;
only a registered target is ever redirected to, so the redirect is never open. A target is
registered when a template naming it is saved, or in the transaction that queues a message
naming it (a moderator's hand edit, a bulk mail): whatever was written by an operator.
"""

from __future__ import annotations

import re
import secrets
from urllib.parse import quote, unquote, urlsplit

from store.database import Database
from store.rowids import inserted_id

TRACK_PREFIX = "/t/"
MAX_URL = 2000
_UNSAFE = re.compile(r"[\x00-\x20\x7f<>\"'\\`{}|^]")
# A target not registered yet, in text rendered outside a write transaction (the app's compose
# and bulk previews, queued later): `enqueue` registers it in its transaction and writes its id.
# The nonce is this process's own, so text from outside (an influencer's name) cannot ask for one.
_NONCE = secrets.token_hex(8)
_PENDING = re.compile(rf"CALLSHEET-TARGET-{_NONCE}-([A-Za-z0-9_.~%-]+)!")


def url_problem(url: object) -> str | None:
    """Why `url` cannot be a tracked link's target (a phrase), or None when it is a fine http(s) URL."""
    if not isinstance(url, str):
        return "track() takes the address in quotes, such as track(\"https://brand.example/lookbook\")"
    if len(url) > MAX_URL:
        return f"the address given to track() is longer than {MAX_URL:,} characters"
    if not url.isascii() or _UNSAFE.search(url):
        return (f"track({url[:80]!r}) holds spaces, quotes or non-ASCII characters; "
                "write them percent-encoded (%20)")
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        host, parts = None, None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not host:
        return f"track({url[:80]!r}) needs an http:// or https:// address with a host"
    return None


def target_id(db: Database, url: str) -> int | None:
    """The id of a registered target, or None."""
    row = db.execute("SELECT id FROM link_targets WHERE url = ?", (url,)).fetchone()
    return int(row[0]) if row else None


def register(db: Database, url: str, now: str) -> int:
    """The target's id, registering it first if new; call inside a write transaction."""
    found = target_id(db, url)
    if found is not None:
        return found
    cursor = db.conn.execute("INSERT INTO link_targets (url, created_at) VALUES (?, ?)", (url, now))
    return inserted_id(cursor)


def pending(url: str) -> str:
    """What a link holds instead of the id of a target not registered yet (see `resolve_pending`)."""
    return f"CALLSHEET-TARGET-{_NONCE}-{quote(url, safe='')}!"


def resolve_pending(db: Database, text: str | None, now: str) -> str | None:
    """`text` with each pending target registered and replaced by its id; inside a write transaction."""
    if not text or "CALLSHEET-TARGET-" not in text:
        return text

    def registered(match: re.Match[str]) -> str:
        url = unquote(match.group(1))
        return match.group(0) if url_problem(url) else str(register(db, url, now))

    return _PENDING.sub(registered, text)


def target_url(db: Database, target: int) -> str | None:
    """Where a registered target points, or None for an id nobody registered."""
    row = db.execute("SELECT url FROM link_targets WHERE id = ?", (target,)).fetchone()
    return str(row[0]) if row else None


def record(db: Database, message: dict, target: int, now: str) -> int:
    """One click on `target` in `message` (a row of `unsubscribes.message_by_token`); its id."""
    cursor = db.conn.execute(
        """INSERT INTO clicks (message_id, influencer_id, campaign_id, target_id, clicked_at)
           VALUES (?, ?, ?, ?, ?)""",
        (message["id"], message["influencer_id"], message["campaign_id"], target, now))
    return inserted_id(cursor)


def _tracked_path() -> str:
    """SQL for a message's own tracked-link path, `/t/<token>/` (the token is its Message-ID's local part)."""
    return (f"'{TRACK_PREFIX}' || substr(m.message_id, 2, instr(m.message_id, '@') - 2) || '/'")


# People sent (or being sent) a message of the campaign holding one of its own tracked links, and
# whoever clicked (so the rate never passes 100 % while a send is still being recorded).
_REACHED = f"""
SELECT count(*) FROM (
    SELECT m.influencer_id FROM messages m
    WHERE m.campaign_id = :campaign AND m.direction = 'out' AND m.influencer_id IS NOT NULL
      AND m.status IN ('sent', 'sending')
      AND instr(coalesce(m.body, '') || coalesce(m.body_html, ''), {_tracked_path()}) > 0
    UNION
    SELECT c.influencer_id FROM clicks c WHERE c.campaign_id = :campaign AND c.influencer_id IS NOT NULL
)"""


def campaign_numbers(db: Database, campaign_id: int) -> dict:
    """`clicks` (every click), `clickers` (people, once each), `tracked_recipients` and `click_rate` (%)."""
    clicks, clickers = db.execute(
        "SELECT count(*), count(DISTINCT influencer_id) FROM clicks WHERE campaign_id = ?",
        (campaign_id,)).fetchone()
    reached = db.execute(_REACHED, {"campaign": campaign_id}).fetchone()[0]
    rate = round(100.0 * clickers / reached, 1) if reached else None
    return {"clicks": clicks, "clickers": clickers, "tracked_recipients": reached, "click_rate": rate}
