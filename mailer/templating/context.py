"""The tokens a template sees: influencer fields in camelCase, custom variables, campaign, sender, links."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from urllib.parse import quote

from mailer.config import current_public_url
from mailer.web.links import AGREEMENT_PREFIX, ANSWER_PREFIX, UNSUBSCRIBE_PREFIX, personal_url
from store.campaigns import Campaign, zone
from store.clock import from_iso
from store.errors import UserError
from store.outbox.tokens import MESSAGE_TOKEN

# Influencer columns and the token each becomes.
FIELDS = {
    "handle": "handle", "name": "name", "first_name": "firstName", "email": "email",
    "followers": "followers", "engagement_rate": "engagementRate", "country": "country",
    "language": "language", "tags": "tags", "platforms": "platforms", "address": "address",
}
# Filled by the action that sends the email; present (as None) everywhere so templates may test them.
APPLICATION_TOKENS = ("fee", "agreementDeadline", "stage")


def _local(instant: str | None, timezone: str) -> datetime | None:
    return from_iso(instant).astimezone(zone(timezone)) if instant else None


def campaign_tokens(campaign: Campaign | None) -> dict:
    """`campaign.*`: what a template may say about the casting call (blank outside any campaign)."""
    if campaign is None:
        return {"name": "", "program": "", "description": "", "brief": "", "budget": None, "currency": "",
                "opens": "", "closes": "", "closesAt": "", "timezone": "UTC", "agreementDays": None}
    tz = campaign.timezone
    closes, opens = _local(campaign.closes_at, tz), _local(campaign.opens_at, tz)
    return {
        "name": campaign.name, "program": campaign.program,
        "description": campaign.description, "brief": campaign.brief,
        "budget": campaign.budget, "currency": campaign.currency,
        "opens": opens.date().isoformat() if opens else "",
        "closes": closes.date().isoformat() if closes else "",
        "closesAt": closes.strftime("%Y-%m-%d %H:%M") if closes else "",
        "timezone": tz, "agreementDays": campaign.agreement_days,
    }


def sender_tokens(campaign: Campaign | None) -> dict:
    if campaign is None:
        return {"name": "", "email": ""}
    return {"name": campaign.sender_name, "email": campaign.sender_email or ""}


def influencer_tokens(influencer: dict) -> dict:
    tokens = {token: influencer.get(column) for column, token in FIELDS.items()}
    for column in ("name", "first_name", "handle"):
        tokens[FIELDS[column]] = tokens[FIELDS[column]] or ""
    platforms = tokens.get("platforms") or []
    tokens["platform"] = platforms[0] if platforms else ""
    return tokens


def template_context(campaign: Campaign | None, influencer: dict, extra: dict | None = None) -> dict:
    """Everything a template may name, for one recipient."""
    custom: dict[str, Any] = dict(influencer.get("custom") or {})
    sender = sender_tokens(campaign)
    context: dict[str, Any] = {key: value for key, value in custom.items() if key.isidentifier()}
    context |= influencer_tokens(influencer)
    context |= {token: None for token in APPLICATION_TOKENS}
    context |= {
        "vars": custom,
        "campaign": campaign_tokens(campaign),
        "sender": sender,
        "links": personal_links(sender["email"], campaign.name if campaign else ""),
    }
    for key, value in (extra or {}).items():
        if isinstance(value, dict) and isinstance(context.get(key), dict):
            context[key] = {**context[key], **value}
        else:
            context[key] = value
    return context


class LinkUnavailable(Exception):
    """A personal link printed while callsheet serve has no public address: the template's one sentence."""


class _Unavailable:
    """What `links.answer` is without a public address: false in `{% if %}`, refused when printed."""

    def __init__(self, name: str, why: str) -> None:
        self.name, self.why = name, why

    def __bool__(self) -> bool:
        return False

    def __str__(self) -> str:
        raise LinkUnavailable(f"links.{self.name} needs the public address of `callsheet serve` ({self.why})")

    __html__ = __str__


def personal_links(sender_email: str, campaign_name: str, public_url: str | None = None,
                   token: str = MESSAGE_TOKEN) -> dict[str, Any]:
    """`links.*`: this message's answer, agreement and unsubscribe pages, held by `token` until it exists.

    Without a public address the pages cannot be reached: printing `links.answer` or
    `links.agreement` is then a template error, and `links.unsubscribe` is the mailto it always was.
    """
    why = "set [web] public_url or CALLSHEET_PUBLIC_URL"
    if public_url is None:
        try:
            public_url = current_public_url()
        except UserError as error:
            why = error.sentence.rstrip(".")
    if not public_url:
        return {"answer": _Unavailable("answer", why), "agreement": _Unavailable("agreement", why),
                "unsubscribe": _unsubscribe_mailto(sender_email, campaign_name)}
    return {"answer": personal_url(public_url, ANSWER_PREFIX, token),
            "agreement": personal_url(public_url, AGREEMENT_PREFIX, token),
            "unsubscribe": personal_url(public_url, UNSUBSCRIBE_PREFIX, token)}


def _unsubscribe_mailto(sender_email: str, campaign_name: str) -> str:
    if not sender_email:
        return ""
    return f"mailto:{sender_email}?subject={quote('unsubscribe ' + campaign_name)}"


SAMPLE_PUBLIC_URL = "https://casting.example.com"
SAMPLE_INFLUENCER = {
    "handle": "sample.creator", "name": "Sample Creator", "first_name": "Sam",
    "email": "sam@example.com", "followers": 12_345, "engagement_rate": 3.4, "country": "FR",
    "language": "en", "tags": ["beauty"], "platforms": ["instagram"], "address": "1 Sample Street",
}
SAMPLE_CAMPAIGN = Campaign(
    id=0, name="Sample campaign", program="Sample program", brief="A short brief.",
    description="", sender_email="casting@example.com", sender_name="Casting team",
    timezone="UTC", closes_at="2026-12-31T23:00:00+00:00", opens_at=None, budget=1000.0,
    currency="EUR", agreement_days=3, languages=("en",),
)


def sample_context(custom_names: Iterable[str] = ()) -> dict:
    """A context as a real recipient would have, with `custom_names` set, for checking templates."""
    influencer = {**SAMPLE_INFLUENCER, "custom": {name: "sample" for name in custom_names}}
    extra = {"fee": 250.0, "agreementDeadline": "2026-11-26 18:00", "stage": "to review",
             "links": personal_links(SAMPLE_CAMPAIGN.sender_email or "", SAMPLE_CAMPAIGN.name,
                                     SAMPLE_PUBLIC_URL, "sample-token")}
    return template_context(SAMPLE_CAMPAIGN, influencer, extra)
