"""Times as the app shows them: one format, `YYYY-MM-DD HH:MM`, in the operator's zone, the zone
named once where the times are (a column title, a note) rather than on every value.

The store keeps UTC instants; the operator reads them in the app's `local_zone` (UTC when none is
given, as the header says).
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

FORMAT = "%Y-%m-%d %H:%M"


def operator_zone(app: object) -> tzinfo:
    """The zone the app shows times in: its `local_zone`, else UTC."""
    return getattr(app, "local_zone", None) or UTC


def zone_name(zone: tzinfo) -> str:
    """`Europe/Paris` for a named zone, `UTC` for UTC."""
    return getattr(zone, "key", None) or zone.tzname(None) or "UTC"


def shown_time(instant: str | None, zone: tzinfo) -> str:
    """A stored instant in `zone` as `YYYY-MM-DD HH:MM`; "" for none; text that is no instant as it is."""
    if not instant:
        return ""
    try:
        moment = datetime.fromisoformat(instant)
    except ValueError:
        return instant
    # The store writes offsets; one without is UTC, never the machine's own zone.
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(zone).strftime(FORMAT)
