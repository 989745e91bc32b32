"""Size checks for the methods a template may call that can multiply what they are given.

Each check runs before the call and refuses it when the result would be too large;
the caller then checks and charges whatever the call built.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from mailer.sandbox.budget import charge, measure, too_big
from mailer.sandbox.sizes import size_of

Text = str | bytes | bytearray


def _int_args(args: tuple) -> list[int]:
    return [a for a in args if isinstance(a, int) and not isinstance(a, bool)]


def _padded(owner: Text, args: tuple, kwargs: dict) -> None:
    too_big(max([len(owner), *_int_args(args), *_int_args(tuple(kwargs.values()))]), "a padded string")


def _expanded(owner: Text, args: tuple, kwargs: dict) -> None:
    width = args[0] if args and isinstance(args[0], int) else kwargs.get("tabsize", 8)
    tabs = owner.count("\t") if isinstance(owner, str) else owner.count(b"\t")
    too_big(len(owner) + tabs * max(int(width), 0), "an expanded string")


def _count(owner: Text, part: Text) -> int:
    """owner.count(part), spelled per type; text with bytes raises the TypeError count() raises."""
    if isinstance(owner, str):
        if not isinstance(part, str):
            raise TypeError(f"must be str, not {type(part).__name__}")
        return owner.count(part)
    if isinstance(part, str):
        raise TypeError("argument should be integer or bytes-like object, not 'str'")
    return owner.count(part)


def replaced_size(owner: Text, old: Any, new: Any, count: Any = -1) -> int:
    """An upper bound on len(owner.replace(old, new, count))."""
    if not isinstance(old, Text) or not isinstance(new, Text):
        return len(owner)
    found = _count(owner, old) if old else len(owner) + 1
    if isinstance(count, int) and count >= 0:
        found = min(found, count)
    return len(owner) + found * len(new)


def _replaced(owner: Text, args: tuple, kwargs: dict) -> None:
    if len(args) >= 2:
        too_big(replaced_size(owner, *args[:3]), "a string")


def joined_size(items: list, separator: Any) -> int:
    """An upper bound on the length of `separator.join(items)` (items shown as text)."""
    gaps = max(len(items) - 1, 0) * len(str(separator) if not isinstance(separator, Text) else separator)
    total = gaps
    for item in items:
        total += size_of(item)
        too_big(total, "a joined string")
    return total


def _translated(owner: Text, args: tuple, kwargs: dict) -> None:
    table = args[0] if args else kwargs.get("table")
    if isinstance(table, dict):
        longest = max([1, *(len(v) for v in table.values() if isinstance(v, Text))])
        too_big(len(owner) * longest, "a translated string")


def _joining(owner: Text, args: tuple, kwargs: dict) -> tuple:
    items = args[0] if args else []
    items = list(items) if isinstance(items, Iterable) and not isinstance(items, Text) else items
    if isinstance(items, list):
        too_big(joined_size(items, owner), "a joined string")
    return (items, *args[1:])


def _to_bytes(owner: int, args: tuple, kwargs: dict) -> None:
    length = args[0] if args else kwargs.get("length", 1)
    if isinstance(length, int):
        too_big(length, "a byte string")


def _grown(owner: Any, added: int) -> None:
    too_big(len(owner) + added, "a list, set or dict")
    charge(added)


def _collecting(owner: Any, name: str, args: tuple, kwargs: dict) -> tuple:
    """list/set/dict growth: the new length is checked and the added items charged."""
    if name in ("append", "add", "insert", "setdefault"):
        charge(sum(measure(a) for a in args))
        _grown(owner, 1)
    elif name in ("extend", "update") and args:
        added = args[0] if isinstance(args[0], list | tuple | dict | set | frozenset) else list(args[0])
        _grown(owner, len(added) + len(kwargs))
        return (added, *args[1:])
    elif name == "update":
        _grown(owner, len(kwargs))
    return args


_TEXT_CHECKS: dict[str, Callable[[Any, tuple, dict], None]] = {
    "center": _padded, "ljust": _padded, "rjust": _padded, "zfill": _padded,
    "expandtabs": _expanded, "replace": _replaced, "translate": _translated,
}
_COLLECTIONS = (list, set, dict)


def check_call(method: Any, args: tuple, kwargs: dict) -> tuple:
    """Refuse a method call whose result would be too large; returns the (possibly listed) args."""
    owner = getattr(method, "__self__", None)
    name = getattr(method, "__name__", "")
    if isinstance(owner, Text) and name == "join":
        return _joining(owner, args, kwargs)
    if isinstance(owner, Text) and name in _TEXT_CHECKS:
        _TEXT_CHECKS[name](owner, args, kwargs)
    elif isinstance(owner, int) and name == "to_bytes":
        _to_bytes(owner, args, kwargs)
    elif isinstance(owner, _COLLECTIONS):
        return _collecting(owner, name, args, kwargs)
    return args

