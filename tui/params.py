"""Parameter types shared by every command: numbers SQLite can hold, so a huge or infinite one is refused."""

from __future__ import annotations

import math
from typing import Any

import click

from store.errors import UserError
from tui.visible import visible

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def label(param: click.Parameter | None) -> str:
    """How the user typed the parameter: `--limit` for an option, `ID` for an argument."""
    if isinstance(param, click.Option):
        return max(param.opts, key=len)
    return param.human_readable_name if param is not None else "the value"


class _FitsSQLite:
    """Refuse, with one sentence, an integer that SQLite could not store or compare."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)  # type: ignore[misc]
        if isinstance(number, int) and not INT64_MIN <= number <= INT64_MAX:
            raise UserError(f"{label(param)} {visible(value)} is out of range: numbers go up to "
                            f"{INT64_MAX:,}; nothing was changed.")
        return number


class _Finite:
    """Refuse, with one sentence, a number that is not finite (inf, nan): no budget or rate is."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)  # type: ignore[misc]
        if isinstance(number, float) and not math.isfinite(number):
            raise UserError(f"{label(param)} {visible(value)} is out of range: give a finite number; "
                            "nothing was changed.")
        return number


class Integer(_FitsSQLite, click.types.IntParamType):
    """An integer of SQLite's size."""


class IntegerRange(_FitsSQLite, click.IntRange):
    """An integer range that also stays within SQLite's size."""


class Number(_Finite, click.types.FloatParamType):
    """A finite float."""


class NumberRange(_Finite, click.FloatRange):
    """A float range that also refuses inf and nan."""


def bounded(kind: click.ParamType) -> click.ParamType:
    """The SQLite-sized version of a numeric parameter type; any other type as it is."""
    if isinstance(kind, _FitsSQLite | _Finite):
        return kind
    if isinstance(kind, click.FloatRange):
        return NumberRange(kind.min, kind.max, kind.min_open, kind.max_open, kind.clamp)
    if isinstance(kind, click.types.FloatParamType):
        return Number()
    if isinstance(kind, click.IntRange):
        return IntegerRange(kind.min, kind.max, kind.min_open, kind.max_open, kind.clamp)
    if isinstance(kind, click.types.IntParamType):
        return Integer()
    return kind
