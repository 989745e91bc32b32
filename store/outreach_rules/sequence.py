"""The sequence's rules: who wants a welcome and follow-ups, each campaign's settings, and their times."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from store import stages
from store.errors import UserError
from store.outreach_rules import schedule
from store.outreach_rules.windows import Window

ACCEPT_STAGES = ("to review", "to_review")
# Stages of someone who said yes and was not turned away: only they get the welcome and follow-ups.
SEQUENCE_STAGES = (*ACCEPT_STAGES, stages.SHORTLISTED, stages.AGREEMENT_SENT, stages.SIGNED,
                   stages.IN_CAMPAIGN)
# The stop reason each other stage gives (declined, rejected, expired, refused…).
STAGE_STOPS = {stage: "stopped_" + stage.replace(" ", "_") for stage in stages.STAGES
               if stage not in SEQUENCE_STAGES}
# Outgoing kinds a person writes; automatic mail (invitations, triggers, the sequence) is not "ongoing".
WRITTEN_KINDS = ("manual", "reply", "bulk")


class SequenceColumns(Protocol):
    """The campaign's sequence columns, decoded (store.campaigns.Campaign has them)."""

    @property
    def welcome_enabled(self) -> bool: ...
    @property
    def stop_if_ongoing(self) -> bool: ...
    @property
    def stop_if_incoming(self) -> bool: ...
    @property
    def followup_days(self) -> tuple[int, ...]: ...


@dataclass(frozen=True)
class SequenceSettings:
    """Welcome on/off, its two stop rules, and follow-up day offsets after the welcome."""

    welcome: bool = True
    stop_if_ongoing: bool = True
    stop_if_incoming: bool = True
    followups: tuple[int, ...] = ()

    @classmethod
    def of(cls, campaign: SequenceColumns) -> SequenceSettings:
        return cls(campaign.welcome_enabled, campaign.stop_if_ongoing, campaign.stop_if_incoming,
                   campaign.followup_days)

    def describe(self) -> str:
        rules = [name for name, on in (("stop if ongoing", self.stop_if_ongoing),
                                       ("stop if incoming", self.stop_if_incoming)) if on]
        welcome = f"welcome ({', '.join(rules) or 'no stop rule'})" if self.welcome else "no welcome"
        days = ", ".join(f"+{d}d" for d in self.followups) or "none"
        return f"{welcome}; follow-ups: {days}"


def parse_followups(text: str) -> tuple[int, ...]:
    """'3,7' → (3, 7): strictly increasing positive day offsets; '' or 'none' → ()."""
    if text.strip().lower() in ("", "none", "off"):
        return ()
    try:
        days = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise UserError(f"--followups takes day offsets such as '3,7' (got {text!r}).") from None
    if any(d < 1 for d in days) or list(days) != sorted(set(days)):
        raise UserError(f"--followups takes increasing day offsets of at least 1 (got {text!r}).")
    return days


def stage_stop(stage: str | None) -> str | None:
    """The stop reason of an application at `stage` that no longer wants its sequence, else None."""
    return STAGE_STOPS.get(stage or "")


def sequence_times(settings: SequenceSettings, accepted_at: datetime, windows: Sequence[Window],
                   tz: ZoneInfo) -> list[tuple[str, datetime]]:
    """(kind, due) for the welcome and each follow-up, all at window openings in zone `tz`."""
    welcome_at = schedule.welcome_due(accepted_at, windows, tz)
    if welcome_at is None:
        return []
    times = [("welcome", welcome_at)] if settings.welcome else []
    base_day = schedule.local_date(welcome_at, tz)
    dues = schedule.followup_dues(base_day, settings.followups, windows, tz)
    times += [(f"followup-{number}", due) for number, due in enumerate(dues, start=1)]
    return times
