"""Casting calls: creating, validating, finding and listing them."""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from store import audit, suggest
from store.addresses import normalise_address
from store.clock import check_day, iso
from store.database import Database
from store.errors import NotFound, UserError
from store.header_text import check_header_text
from store.outreach_rules.windows import Window, parse_windows

DEFAULT_WINDOW = "mon-fri 09:00-18:00"


@dataclass
class CampaignSpec:
    """What `campaign create` accepts, before validation."""

    name: str
    program: str = ""
    description: str = ""
    brief: str = ""
    sender: str | None = None
    sender_name: str = ""
    budget: float | None = None
    currency: str = "EUR"
    min_followers: int = 0
    min_engagement: float = 0.0
    opens: str | None = None
    closes: str | None = None
    timezone: str = "UTC"
    windows: list[str] = field(default_factory=lambda: [DEFAULT_WINDOW])
    daily_cap: int = 50
    moderation: bool = True
    segment: str = ""
    languages: list[str] = field(default_factory=lambda: ["en"])
    requires_agreement: bool = False
    agreement_days: int = 3
    invite_limit: int = 300


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UserError(f"Unknown time zone {name!r}; use an IANA name such as Europe/Paris.") from None


def _non_negative(value: float | int | None, option: str) -> None:
    if value is not None and value < 0:
        raise UserError(f"{option} cannot be negative (got {value}).")


def _local_instant(text: str, tz: ZoneInfo, option: str, end_of_day: bool) -> str:
    """A date or date-time in the campaign's zone, stored as UTC."""
    try:
        if len(text.strip()) == 10:
            moment = datetime.combine(date.fromisoformat(text.strip()),
                                      time(23, 59, 59) if end_of_day else time(0, 0))
        else:
            moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UserError(f"{option} {text!r} is not a date (YYYY-MM-DD) or ISO date-time.") from None
    check_day(moment.date(), option)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return iso(moment)


def validate(spec: CampaignSpec) -> dict:
    """Check every option and return the row to insert, or raise one sentence."""
    name = spec.name.strip()
    if not name:
        raise UserError("A campaign needs a name.")
    if any(ch in name for ch in "\r\n\t\x00"):
        raise UserError("A campaign name must be a single line.")
    check_header_text(name, "The campaign name")  # subjects name it ({{ campaign.name }})
    check_header_text(spec.sender_name, "--sender-name")
    tz = zone(spec.timezone)
    for value, option in ((spec.budget, "--budget"), (spec.min_followers, "--min-followers"),
                          (spec.min_engagement, "--min-engagement"), (spec.daily_cap, "--daily-cap"),
                          (spec.agreement_days, "--agreement-days"),
                          (spec.invite_limit, "--invite-limit")):
        _non_negative(value, option)
    if spec.min_engagement > 100:
        raise UserError(
            f"--min-engagement is a percentage and cannot exceed 100 (got {spec.min_engagement})."
        )
    windows: list[Window] = parse_windows(spec.windows or [DEFAULT_WINDOW])
    languages = [lang.strip().lower() for lang in spec.languages if lang.strip()]
    if not languages or any(not lang.isalpha() or len(lang) not in (2, 3) for lang in languages):
        raise UserError(f"--languages takes ISO codes such as 'en,fr' (got {','.join(spec.languages)!r}).")
    opens = _local_instant(spec.opens, tz, "--opens", False) if spec.opens else None
    closes = _local_instant(spec.closes, tz, "--closes", True) if spec.closes else None
    if opens and closes and closes <= opens:
        raise UserError("--closes must be after --opens.")
    if spec.segment:
        from store.query.parser import parse_query

        parse_query(spec.segment)
    return {
        "name": name, "program": spec.program, "description": spec.description,
        "brief": spec.brief,
        "sender_email": normalise_address(spec.sender, "--sender") if spec.sender else None,
        "sender_name": spec.sender_name, "budget": spec.budget, "currency": spec.currency.upper(),
        "min_followers": spec.min_followers, "min_engagement": spec.min_engagement,
        "opens_at": opens, "closes_at": closes, "timezone": spec.timezone,
        "windows": json.dumps([w.to_json() for w in windows]), "daily_cap": spec.daily_cap,
        "moderation": int(spec.moderation), "languages": json.dumps(languages),
        "requires_agreement": int(spec.requires_agreement),
        "agreement_days": spec.agreement_days, "invite_limit": spec.invite_limit,
        "segment": spec.segment,
    }


@dataclass(frozen=True, slots=True)
class Campaign:
    """One casting call as read from the store, decoded and with its defaults filled in."""

    id: int
    name: str
    program: str = ""
    description: str = ""
    brief: str = ""
    sender_email: str | None = None
    sender_name: str = ""
    budget: float | None = None
    currency: str = "EUR"
    min_followers: int = 0
    min_engagement: float = 0.0
    opens_at: str | None = None
    closes_at: str | None = None
    timezone: str = "UTC"
    windows: tuple[Window, ...] = ()
    daily_cap: int = 50
    moderation: bool = True
    languages: tuple[str, ...] = ("en",)
    requires_agreement: bool = False
    agreement_days: int = 3
    invite_limit: int = 300
    segment: str = ""
    status: str = "open"
    paused_reason: str | None = None
    collaborated_at: str | None = None
    created_at: str = ""
    updated_at: str = ""
    welcome_enabled: bool = True
    stop_if_ongoing: bool = True
    stop_if_incoming: bool = True
    followup_days: tuple[int, ...] = ()
    candidates: int | None = None  # how many applications it has; only `listing` counts them
    apply_token: str | None = None  # the casting-call page's address: /c/<token> (mailer/web)

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Self:
        """The campaign a `campaigns` row describes: JSON columns decoded, empty values defaulted."""
        def flag(column: str, default: bool) -> bool:
            value = row.get(column)
            return default if value is None else bool(value)

        return cls(
            id=row["id"], name=row["name"], program=row.get("program") or "",
            description=row.get("description") or "", brief=row.get("brief") or "",
            sender_email=row.get("sender_email"), sender_name=row.get("sender_name") or "",
            budget=row.get("budget"), currency=row.get("currency") or "EUR",
            min_followers=row.get("min_followers") or 0, min_engagement=row.get("min_engagement") or 0.0,
            opens_at=row.get("opens_at"), closes_at=row.get("closes_at"),
            timezone=row.get("timezone") or "UTC",
            windows=tuple(Window.from_json(w) for w in json.loads(row.get("windows") or "[]")),
            daily_cap=50 if row.get("daily_cap") is None else row["daily_cap"],
            moderation=flag("moderation", True),
            languages=tuple(json.loads(row.get("languages") or "[]")) or ("en",),
            requires_agreement=flag("requires_agreement", False),
            agreement_days=row.get("agreement_days") or 3, invite_limit=row.get("invite_limit") or 300,
            segment=row.get("segment") or "", status=row.get("status") or "open",
            paused_reason=row.get("paused_reason"), collaborated_at=row.get("collaborated_at"),
            created_at=row.get("created_at") or "", updated_at=row.get("updated_at") or "",
            welcome_enabled=flag("welcome_enabled", True), stop_if_ongoing=flag("stop_if_ongoing", True),
            stop_if_incoming=flag("stop_if_incoming", True),
            followup_days=tuple(json.loads(row.get("followup_days") or "[]")),
            candidates=row.get("candidates"), apply_token=row.get("apply_token"),
        )

    def to_json(self) -> dict[str, Any]:
        """The campaign as `campaign show/list --json` print it: the row's columns, windows as text."""
        row: dict[str, Any] = {}
        for name in self.__slots__:
            value = getattr(self, name)
            if name in _FLAG_COLUMNS:
                value = int(value)
            elif name in ("windows", "languages"):
                value = [str(v) for v in value]
            elif name == "followup_days":
                value = json.dumps(list(value))
            elif name == "candidates" and value is None:
                continue
            row[name] = value
        return row


_FLAG_COLUMNS = frozenset({"moderation", "requires_agreement", "welcome_enabled", "stop_if_ongoing",
                           "stop_if_incoming"})



def create(db: Database, spec: CampaignSpec, *, actor: str, now: str) -> Campaign:
    """Validate and insert a campaign; call inside a write transaction."""
    row = validate(spec)
    if db.execute("SELECT 1 FROM campaigns WHERE name = ?", (row["name"],)).fetchone():
        raise UserError(f"A campaign named {row['name']!r} already exists.")
    row |= {"created_at": now, "updated_at": now, "apply_token": secrets.token_urlsafe(16)}
    columns = ", ".join(row)
    marks = ", ".join("?" for _ in row)
    cursor = db.conn.execute(f"INSERT INTO campaigns ({columns}) VALUES ({marks})", list(row.values()))
    audit.record(db, at=now, actor=actor, action="campaign.create", entity="campaign",
                 entity_id=cursor.lastrowid, campaign_id=cursor.lastrowid, name=row["name"])
    return get(db, row["name"])


def get(db: Database, name: str) -> Campaign:
    rows = list(db.query("SELECT * FROM campaigns WHERE name = ?", [name.strip()]))
    if not rows:
        names = [row[0] for row in db.execute("SELECT name FROM campaigns")]
        raise NotFound(f"There is no campaign named {name!r}{suggest.hint(name, names)}")
    return Campaign.from_row(rows[0])


def get_by_id(db: Database, campaign_id: int) -> Campaign:
    rows = list(db.query("SELECT * FROM campaigns WHERE id = ?", [campaign_id]))
    if not rows:
        raise NotFound(f"There is no campaign #{campaign_id}.")
    return Campaign.from_row(rows[0])


def by_apply_token(db: Database, token: str) -> Campaign | None:
    """The campaign whose casting-call page is at /c/`token`, or None."""
    if not token or len(token) > 64:
        return None
    rows = list(db.query("SELECT * FROM campaigns WHERE apply_token = ?", [token]))
    return Campaign.from_row(rows[0]) if rows else None


def listing(db: Database) -> list[Campaign]:
    """Every campaign with its candidate count: the ones still at work (open or paused) first, the
    closed ones after, each newest first. The one order of `campaign list` and the app's picker,
    whose first entry is where the app opens."""
    rows = db.query(
        # The tallies the triggers keep (store/pipeline_upkeep.py): a few rows, not a count of 100,000.
        """SELECT c.*, (SELECT coalesce(sum(t.applications), 0) FROM application_tallies t
                        WHERE t.campaign_id = c.id) AS candidates
           FROM campaigns c ORDER BY c.status = 'closed', c.created_at DESC, c.id DESC"""
    )
    return [Campaign.from_row(row) for row in rows]


def queued_mail(db: Database, campaign_id: int) -> int:
    """How many of the campaign's messages wait in the outbox to be sent."""
    return int(db.execute("SELECT count(*) FROM messages WHERE campaign_id = ? AND status = 'queued'",
                          [campaign_id]).fetchone()[0])


def state_text(campaign: Campaign) -> str:
    """The campaign's state as people read it: 'open', 'closed', 'paused by ana', 'paused after …'."""
    if campaign.status != "paused":
        return campaign.status
    reason = re.sub(r"^paused\s+", "", (campaign.paused_reason or "").strip(), flags=re.IGNORECASE)
    return f"paused {reason.rstrip('.')}" if reason else "paused"


def planning_block(campaign: Campaign) -> str | None:
    """Why the planner invites nobody for this campaign (one sentence, no final period); None if it may."""
    name = campaign.name
    if campaign.status == "paused":
        return f"{name} is {state_text(campaign)}; nothing is planned or sent for it until it is resumed"
    if campaign.status != "open":
        return f"{name} is {campaign.status}: nothing is planned for it"
    if campaign.collaborated_at:
        return f"{name} started its collaboration: nothing is planned for it"
    if not campaign.segment.strip():
        return f"{name} has no segment: nothing is planned for it"
    if not campaign.sender_email:
        return f"{name} has no sender address: nothing is planned for it"
    return None


def pause(db: Database, campaign_id: int, reason: str, *, now: str, actor: str) -> bool:
    """Pause an open campaign with a sentence for the operator (the breaker's and a person's pause
    are this one state); False if it was not open. Call inside a write transaction."""
    changed = db.conn.execute(
        """UPDATE campaigns SET status = 'paused', paused_reason = ?, updated_at = ?
           WHERE id = ? AND status = 'open'""", [reason, now, campaign_id]).rowcount
    if changed:
        audit.record(db, at=now, actor=actor, action="campaign.pause", entity="campaign",
                     entity_id=campaign_id, campaign_id=campaign_id, reason=reason)
    return bool(changed)


def resume(db: Database, campaign: Campaign, *, now: str, actor: str) -> bool:
    """Open a paused campaign again, its reason kept in the audit trail; False if it was not paused."""
    changed = db.conn.execute(
        """UPDATE campaigns SET status = 'open', paused_reason = NULL, updated_at = ?
           WHERE id = ? AND status = 'paused'""", [now, campaign.id]).rowcount
    if changed:
        audit.record(db, at=now, actor=actor, action="campaign.resume", entity="campaign",
                     entity_id=campaign.id, campaign_id=campaign.id, reason=campaign.paused_reason)
    return bool(changed)
