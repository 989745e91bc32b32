"""Execution windows such as `mon-fri 09:00-18:00`, in a campaign's local time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time

from store.errors import UserError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WINDOW = re.compile(
    r"^\s*(?:(?P<days>[a-z,\-]+)\s+)?(?P<start>\d{1,2}:\d{2})\s*-\s*(?P<end>\d{1,2}:\d{2})\s*$"
)


@dataclass(frozen=True)
class Window:
    """Days of the week (0 = Monday) and a local start and end time, end after start."""

    days: tuple[int, ...]
    start: time
    end: time

    def to_json(self) -> dict:
        return {"days": list(self.days), "start": self.start.strftime("%H:%M"),
                "end": self.end.strftime("%H:%M")}

    @classmethod
    def from_json(cls, data: dict) -> Window:
        return cls(tuple(data["days"]), time.fromisoformat(data["start"]),
                   time.fromisoformat(data["end"]))

    def __str__(self) -> str:
        return f"{describe_days(self.days)} {self.start:%H:%M}-{self.end:%H:%M}"


def describe_days(days: tuple[int, ...]) -> str:
    if days == tuple(range(7)):
        return "daily"
    if len(days) > 2 and days == tuple(range(days[0], days[-1] + 1)):
        return f"{DAYS[days[0]]}-{DAYS[days[-1]]}"
    return ",".join(DAYS[d] for d in days)


def _day(name: str, text: str) -> int:
    if name not in DAYS:
        raise UserError(f"The window {text!r} names an unknown day {name!r}; use mon … sun.")
    return DAYS.index(name)


def _parse_days(spec: str | None, text: str) -> tuple[int, ...]:
    if spec in (None, "daily", "every", "all"):
        return tuple(range(7))
    days: set[int] = set()
    for part in spec.split(","):
        if "-" in part:
            first, _, last = part.partition("-")
            a, b = _day(first, text), _day(last, text)
            days.update(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
        else:
            days.add(_day(part, text))
    return tuple(sorted(days))


def _parse_time(value: str, text: str) -> time:
    hours, minutes = (int(x) for x in value.split(":"))
    if hours == 24 and minutes == 0:
        return time(23, 59, 59)
    if hours > 23 or minutes > 59:
        raise UserError(f"The window {text!r} has an impossible time {value!r}.")
    return time(hours, minutes)


def parse_window(text: str) -> Window:
    """Parse one window; overnight windows are refused with the split to use instead."""
    match = _WINDOW.match(text.lower())
    if not match:
        raise UserError(
            f"The window {text!r} is not of the form 'mon-fri 09:00-18:00'."
        )
    days = _parse_days(match["days"], text)
    start, end = _parse_time(match["start"], text), _parse_time(match["end"], text)
    if end <= start:
        raise UserError(
            f"The window {text!r} ends before it starts; split an overnight window in two, "
            f"e.g. '22:00-24:00' and '00:00-02:00'."
        )
    return Window(days, start, end)


def parse_windows(texts: list[str] | tuple[str, ...]) -> list[Window]:
    return [parse_window(text) for text in texts]
