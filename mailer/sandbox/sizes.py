"""Sizes known before they are built: the text of a value, of a %-format and of a str.format.

`str([s] * 99999)` or `('{0:99999}' * 11000).format(1)` allocate gigabytes in one C call,
so the sandbox estimates (an upper bound, never building the text) and refuses first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from jinja2.sandbox import SandboxedEscapeFormatter, SandboxedFormatter
from jinja2.utils import Namespace

from mailer.sandbox.budget import VALUE_LIMIT, LimitExceeded, charge, tick, too_big

_OTHER = 80  # repr of a macro, loop, cycler or similar: short
_FLOAT_DIGITS = 330  # '%f' of 1e308 has 309 digits before the point
_CONTAINERS: tuple[type[Iterable[Any]], ...] = (
    list, tuple, set, frozenset, type({}.keys()), type({}.values()), type({}.items()))


def _text_len(text: str, quoted: bool) -> int:
    if not quoted:
        return len(text)
    plain = text.isascii() and text.isprintable()
    return (len(text) + text.count("\\") + text.count("'") if plain else 10 * len(text)) + 2


def _children(value: Any) -> list | None:
    if isinstance(value, Namespace):
        value = value._Namespace__attrs
    if isinstance(value, dict):
        return [part for pair in value.items() for part in pair]
    if isinstance(value, _CONTAINERS):
        return list(value)
    return None


def shape(value: Any, limit: int = VALUE_LIMIT) -> tuple[int, int, int]:
    """(an upper bound on len(str(value)), nodes, depth), counting stopped a little past `limit`."""
    size = nodes = depth = 0
    stack = [(value, 1, False)]
    while stack and size <= limit:
        item, level, quoted = stack.pop()
        nodes += 1
        depth = max(depth, level)
        if nodes % 1024 == 0:
            tick()
        if isinstance(item, str):
            size += _text_len(item, quoted)
        elif isinstance(item, bool) or item is None:
            size += 5
        elif isinstance(item, int):
            size += item.bit_length() // 3 + 2
        elif isinstance(item, float):
            size += 24
        elif isinstance(item, bytes | bytearray):
            size += 4 * len(item) + 14
        else:
            children = _children(item)
            if children is None:
                size += _OTHER
                continue
            size += 16 + 2 * len(children)  # brackets, a type name for views, separators
            stack.extend((child, level + 1, True) for child in children)
    return size, nodes, depth


def size_of(value: Any) -> int:
    """An upper bound on the length of `str(value)`, found without building it."""
    return shape(value)[0]


def check_text(value: Any, what: str) -> int:
    """Refuse a value whose text would be too large; return that size."""
    size = size_of(value)
    too_big(size, what)
    return size


_PERCENT = re.compile(r"%(?:\((?P<key>[^)]*)\))?[#0\- +]*(?P<width>\*|\d+)?(?:\.(?P<precision>\*|\d*))?"
                      r"[hlL]?(?P<type>.?)", re.S)


def _argument(args: Any, key: str | None, position: int) -> Any:
    if key is not None:
        return args.get(key) if isinstance(args, Mapping) else None
    if isinstance(args, tuple):
        return args[position] if position < len(args) else None
    return args if position == 0 else None


def percent_size(fmt: str, args: Any) -> int:
    """An upper bound on the length of `fmt % args`; LimitExceeded when it is too large."""
    total, position = len(fmt), 0
    for spec in _PERCENT.finditer(fmt):
        if spec["type"] == "%":
            continue
        width, precision = spec["width"] or "", spec["precision"] or ""
        if "*" in width + precision:
            raise LimitExceeded("it uses a computed format width ('*')")
        argument = _argument(args, spec["key"], position)
        position += spec["key"] is None
        digits = _FLOAT_DIGITS if spec["type"] in "eEfFgG" else 0
        text = size_of(argument) * (10 if spec["type"] in "ra" else 1)
        total += int(width or 0) + int(precision or 0) + digits + text
        too_big(total, "a formatted value")
    return total


def _spec_width(format_spec: str) -> int:
    return sum(int(number) for number in re.findall(r"\d+", format_spec))


class MeteredFormatter(SandboxedFormatter):
    """str.format in the sandbox, refusing before a field would take the result past the limit."""

    growth = 1  # how much longer a field's text may become once formatted

    def vformat(self, format_string: str, args: Any, kwargs: Any) -> str:
        self.size = len(format_string)
        too_big(self.size, "a formatted value")
        result = super().vformat(format_string, args, kwargs)
        charge(len(result))
        return result

    def convert_field(self, value: Any, conversion: str | None) -> Any:
        if conversion:  # '{!r}' builds the value's text before any field is formatted
            too_big(size_of(value) * (1 if conversion == "s" else 10), "a formatted value")
        return super().convert_field(value, conversion)

    def format_field(self, value: Any, format_spec: str) -> Any:
        tick()
        digits = _FLOAT_DIGITS if isinstance(value, float) else 0
        self.size += _spec_width(format_spec) + size_of(value) * self.growth + digits
        too_big(self.size, "a formatted value")
        return super().format_field(value, format_spec)


class MeteredEscapeFormatter(MeteredFormatter, SandboxedEscapeFormatter):
    """The same for Markup.format (HTML bodies), which escapes each field."""

    growth = 6  # '&' becomes '&amp;'

