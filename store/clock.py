"""The one clock: real time, unless `CALLSHEET_NOW` pins it.

Every domain timestamp comes from here, in UTC and ISO 8601, so tests can live
through days and time zones in seconds. `CALLSHEET_NOW_FILE` names a file holding
the current instant, re-read on every call, so a long-running daemon can be
moved through time by rewriting that file.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from store.errors import UserError

ENV_NOW = "CALLSHEET_NOW"
ENV_NOW_FILE = "CALLSHEET_NOW_FILE"
# The dates callsheet works with: far enough from datetime's limits that a day's arithmetic
# (the next window, a time zone's offset, a deadline) can never overflow.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2999, 12, 31)


def check_day(day: date, what: str) -> date:
    """`day`, or one sentence when it lies outside the dates callsheet works with."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise UserError(f"{what} {day.isoformat()} is out of range: use a date from {FIRST_DAY} "
                        f"to {LAST_DAY}.")
    return day


def parse_instant(text: str, *, what: str = "time") -> datetime:
    """Parse an ISO 8601 instant; a missing offset is refused as ambiguous."""
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise UserError(f"The {what} {text!r} is not an ISO 8601 date and time.") from None
    if value.tzinfo is None:
        raise UserError(f"The {what} {text!r} needs a UTC offset, e.g. {text.strip()}+00:00.")
    check_day(value.date(), f"The {what}")
    return value.astimezone(UTC)


def iso(moment: datetime) -> str:
    """Format an aware datetime as the store writes it: UTC, seconds, `Z`-less ISO 8601."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def from_iso(text: str) -> datetime:
    """Read back a timestamp the store wrote."""
    return datetime.fromisoformat(text).astimezone(UTC)


def _system_now() -> datetime:
    return datetime.now(UTC)


class FileTime:
    """The instant written in a file, read afresh on every call (the last good one while it is rewritten)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.last: datetime | None = None
        self()  # refuse a missing or malformed file at once, as CALLSHEET_NOW does

    def __call__(self) -> datetime:
        try:
            text = self.path.read_text(encoding="utf-8")
            self.last = parse_instant(text, what=ENV_NOW_FILE)
        except (OSError, UserError) as error:
            if self.last is None:
                raise UserError(f"{ENV_NOW_FILE} {str(self.path)!r} holds no ISO 8601 instant.") from error
        return self.last


@dataclass
class Clock:
    """A source of aware UTC datetimes; pinned clocks can be moved by tests."""

    source: Callable[[], datetime] = field(default=_system_now)
    pinned: datetime | None = None

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Clock:
        env = os.environ if environ is None else environ
        time_file = env.get(ENV_NOW_FILE, "").strip()
        if time_file:
            return cls(source=FileTime(Path(time_file)))
        text = env.get(ENV_NOW, "").strip()
        if not text:
            return cls()
        return cls(pinned=parse_instant(text, what=ENV_NOW))

    @classmethod
    def fixed(cls, moment: datetime | str) -> Clock:
        if isinstance(moment, str):
            moment = parse_instant(moment)
        return cls(pinned=moment.astimezone(UTC))

    def now(self) -> datetime:
        if self.pinned is not None:
            return self.pinned
        return self.source()

    def now_iso(self) -> str:
        return iso(self.now())

    def advance(self, delta: timedelta) -> None:
        """Move a pinned clock (tests and the demo only)."""
        if self.pinned is None:
            raise RuntimeError("only a pinned clock can be advanced")
        self.pinned = self.pinned + delta

    @contextmanager
    def held(self) -> Iterator[datetime]:
        """Read the time once and keep it for the block: one pass of work and its log agree on `now`."""
        before = self.pinned
        self.pinned = self.now()
        try:
            yield self.pinned
        finally:
            self.pinned = before

    @property
    def is_pinned(self) -> bool:
        return self.pinned is not None
