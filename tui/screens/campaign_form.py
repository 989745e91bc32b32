"""The campaign settings form without Textual: each setting as the text a field starts from, and
what the person changed, turned back into the values `campaigns.edit` takes.

Only numbers are read here (a field holds text); every rule on the values is the action's.
"""

from __future__ import annotations

import math
from dataclasses import asdict
from typing import Any

from store.campaign_edit import spec_of
from store.campaigns import Campaign, zone
from store.clock import from_iso
from store.errors import UserError

# (CampaignSpec field, label, kind): kinds say how the text is shown and read back.
FIELDS = (
    ("name", "name", "text"), ("program", "program", "text"),
    ("description", "description", "lines"), ("brief", "brief", "lines"),
    ("sender", "sender", "optional"), ("sender_name", "sender name", "text"),
    ("budget", "budget", "optional_number"), ("currency", "currency", "text"),
    ("min_followers", "min followers", "whole"), ("min_engagement", "min engagement %", "number"),
    ("opens", "opens", "instant"), ("closes", "closes", "instant"), ("timezone", "zone", "text"),
    ("windows", "windows", "windows"), ("daily_cap", "daily cap", "whole"),
    ("moderation", "moderation", "switch"), ("segment", "segment", "text"),
    ("languages", "languages", "list"), ("requires_agreement", "agreement required", "switch"),
    ("agreement_days", "agreement days", "whole"), ("invite_limit", "invite limit", "whole"),
)
KINDS = {name: kind for name, _label, kind in FIELDS}
LABELS = {name: label for name, label, _kind in FIELDS}

Typed = dict[str, "str | bool"]


def local_time(campaign: Campaign, instant: str | None) -> str:
    """A stored UTC instant as "YYYY-MM-DD HH:MM" in the campaign's zone ("" for none)."""
    if not instant:
        return ""
    return f"{from_iso(instant).astimezone(zone(campaign.timezone)):%Y-%m-%d %H:%M}"


def _text(kind: str, value: Any) -> str | bool:
    if kind == "switch":
        return bool(value)
    if value is None:
        return ""
    if kind == "windows":
        return "\n".join(value)
    if kind == "list":
        return ", ".join(value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def prefilled(campaign: Campaign) -> Typed:
    """Every setting of `campaign` as its field shows it: text, or a bool for a switch."""
    spec = asdict(spec_of(campaign))
    shown = {name: _text(kind, spec[name]) for name, _label, kind in FIELDS}
    return shown | {"opens": local_time(campaign, campaign.opens_at),
                    "closes": local_time(campaign, campaign.closes_at)}


def _number(name: str, text: str, whole: bool) -> int | float:
    try:
        value: int | float = int(text) if whole else float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise UserError(f"Nothing saved: {LABELS[name]} {text!r} is not a "
                        f"{'whole number' if whole else 'number'}.")
    return value


def _value(name: str, typed: str | bool) -> Any:
    """The field's text as the CampaignSpec value `campaigns.edit` checks."""
    kind = KINDS[name]
    if isinstance(typed, bool):
        return typed
    text = typed.strip()
    if kind in ("optional", "optional_number", "instant") and not text:
        return None
    if kind == "optional_number":
        return _number(name, text, whole=False)
    if kind in ("whole", "number"):
        return _number(name, text, whole=kind == "whole")
    if kind == "windows":
        return [line.strip() for line in text.splitlines() if line.strip()]
    if kind == "list":
        return [word.strip() for word in text.split(",") if word.strip()]
    return text


def _same(before: str | bool, after: str | bool) -> bool:
    if isinstance(before, bool) or isinstance(after, bool):
        return before == after
    return before.strip() == after.strip()


def changed_settings(before: Typed, after: Typed) -> dict[str, Any]:
    """The settings whose field the person changed, as the `given` of `campaigns.edit`."""
    return {name: _value(name, typed) for name, typed in after.items()
            if name in KINDS and not _same(before[name], typed)}
