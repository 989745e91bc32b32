"""Times as the app shows them: one format, `YYYY-MM-DD HH:MM`, in the operator's zone, the zone
named once where the times are (a column title, a note) rather than on every value.

The store keeps UTC instants; the operator reads them in the app's `local_zone`: the one asked for,
else the machine's own (`machine_zone`: TZ, then /etc/localtime). The tests pin TZ=UTC.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

FORMAT = "%Y-%m-%d %H:%M"
LOCALTIME = Path("/etc/localtime")


def operator_zone(app: object) -> tzinfo:
    """The zone the app shows times in: its `local_zone`, else UTC."""
    return getattr(app, "local_zone", None) or UTC


def machine_zone(localtime: Path = LOCALTIME) -> tzinfo:
    """The machine's zone, by name when it has one (so summer time comes right): TZ, else the zone
    /etc/localtime links to, else the C library's current offset (a POSIX TZ string, a copied file)."""
    named = os.environ.get("TZ", "").lstrip(":")
    if not named and localtime.is_symlink():
        target = str(localtime.resolve())
        named = target.split("zoneinfo/", 1)[1] if "zoneinfo/" in target else ""
    if named:
        try:
            return ZoneInfo(named)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return datetime.now().astimezone().tzinfo or UTC


def zone_name(zone: tzinfo) -> str:
    """`Europe/Paris` for a named zone, `UTC` for UTC."""
    return getattr(zone, "key", None) or zone.tzname(None) or "UTC"


def zone_abbreviation(zone: tzinfo, at: datetime) -> str:
    """What the zone is called at that instant (`CET`, `CEST`, `UTC`): what a person reads beside a time."""
    return at.astimezone(zone).tzname() or zone_name(zone)


def _moment(instant: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(instant)
    except ValueError:
        return None
    # The store writes offsets; one without is UTC, never the machine's own zone.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def shown_time(instant: str | None, zone: tzinfo, *, named: bool = False) -> str:
    """A stored instant in `zone` as `YYYY-MM-DD HH:MM` (`named`: with the zone's abbreviation then);
    "" for none; text that is no instant as it is."""
    if not instant:
        return ""
    moment = _moment(instant)
    return instant if moment is None else shown_at(moment, zone, named=named)


def shown_at(moment: datetime, zone: tzinfo, *, named: bool = False) -> str:
    """`shown_time` of an aware datetime."""
    local = moment.astimezone(zone)
    return f"{local:{FORMAT}} {local.tzname() or zone_name(zone)}" if named else f"{local:{FORMAT}}"


def shown_day_or_time(instant: str | None, zone: tzinfo, now: datetime) -> str:
    """Where room is short, a piece of the one format, five wide: `HH:MM` on the day of `now` (in
    `zone`), `MM-DD` earlier that year, else `YYYY-MM-DD` (never `11/03`, which reads both ways)."""
    whole = shown_time(instant, zone)
    if len(whole) != len("YYYY-MM-DD HH:MM"):
        return whole
    day, time = whole.split(" ")
    today = f"{now.astimezone(zone):%Y-%m-%d}"
    if day == today:
        return time
    return day[5:] if day[:4] == today[:4] else day
