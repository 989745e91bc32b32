"""Guarded filters: each call ticks the budget, is size-checked before it runs, and charged after.

A filter's arguments are bound to its own signature, so a check reads `width` or
`fill_with` by name whatever way the template passed them.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from jinja2.filters import make_attrgetter

from mailer.sandbox.budget import built, measure, tick, too_big
from mailer.sandbox.calls import joined_size, replaced_size
from mailer.sandbox.sizes import check_text, percent_size, shape

_CONTEXT_PARAMETERS = ("environment", "eval_ctx", "context")
# Filters that walk a collection without turning it into one text.
_COLLECTION_FILTERS = frozenset({
    "attr", "batch", "count", "d", "default", "dictsort", "first", "groupby", "items", "join", "last",
    "length", "list", "map", "max", "min", "random", "reject", "rejectattr", "reverse", "select",
    "selectattr", "slice", "sort", "sum", "unique",
})
Arguments = dict[str, Any]


def _center(a: Arguments) -> None:
    too_big(max(len(str(a["value"])), a["width"] if isinstance(a["width"], int) else 0), "a padded string")


def _indent(a: Arguments) -> None:
    width = a["width"]
    step = len(width) if isinstance(width, str) else max(int(width), 0)
    lines = str(a["s"]).count("\n") + 2
    too_big(len(str(a["s"])) + lines * step, "an indented string")


def _wordwrap(a: Arguments) -> None:
    text, width = str(a["s"]), max(int(a["width"]), 1)
    lines = len(text) // width + text.count("\n") + 1
    too_big(len(text) + lines * len(a["wrapstring"] or "\n"), "a wrapped string")


def _replace(a: Arguments) -> None:
    too_big(replaced_size(str(a["s"]), a["old"], a["new"], a["count"] if a["count"] is not None else -1),
            "a string")


def _join(a: Arguments) -> None:
    if a["attribute"] is None and not isinstance(a["value"], str):
        a["value"] = list(a["value"])  # bounded: every iterable here was built under the budget
        joined_size(a["value"], a["d"])


def _format(a: Arguments) -> None:
    percent_size(str(a["value"]), a["kwargs"] or a["args"])


def _batch(a: Arguments) -> None:
    if a["fill_with"] is not None:
        too_big(a["linecount"], "a batch")


def _slice(a: Arguments) -> None:
    too_big(a["slices"], "a list of slices")


def _sum(a: Arguments) -> None:
    if not isinstance(a["start"], str | bytes | list | tuple):
        return  # numbers: the sum is a number
    a["iterable"] = list(a["iterable"])
    items = a["iterable"] if a["attribute"] is None else map(
        make_attrgetter(a["environment"], a["attribute"]), a["iterable"])
    too_big(measure(a["start"]) + sum(measure(item) for item in items), "a sum")


def _tojson(a: Arguments) -> None:
    size, nodes, depth = shape(a["value"])
    too_big(size + nodes * (1 + (a["indent"] or 0) * depth), "a JSON text")


def _pprint(a: Arguments) -> None:
    size, nodes, depth = shape(a["value"])
    too_big(size + nodes * depth, "a printed value")


def _urlize(a: Arguments) -> None:
    text = str(a["value"])
    words = text.count(" ") + text.count("\n") + 1
    extra = sum(len(str(a[name] or "")) for name in ("target", "rel")) + 80
    too_big(3 * len(text) + words * extra, "a linked text")


_CHECKS: dict[str, Callable[[Arguments], None]] = {
    "center": _center, "indent": _indent, "wordwrap": _wordwrap, "replace": _replace, "join": _join,
    "format": _format, "batch": _batch, "slice": _slice, "sum": _sum, "tojson": _tojson,
    "pprint": _pprint, "urlize": _urlize,
}


def guard_filter(name: str, func: Callable) -> Callable:
    """Tick on every call, refuse one that would build too much, and charge what it built."""
    signature = inspect.signature(func)
    check = _CHECKS.get(name)
    # An async-capable filter receives a context its (sync) signature does not name.
    named = next(iter(signature.parameters), "") in _CONTEXT_PARAMETERS
    hidden = 1 if hasattr(func, "jinja_pass_arg") and not named else 0
    subject = hidden + named  # where the filtered value sits: jinja2 passes it positionally
    stringifies = name not in _COLLECTION_FILTERS

    @functools.wraps(func)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        tick()
        if stringifies and len(args) > subject:
            check_text(args[subject], "a filtered value")
        if check is None:
            return built(func(*args, **kwargs), "a filtered value")
        try:
            bound = signature.bind(*args[hidden:], **kwargs)
        except TypeError:  # the filter itself says what is wrong with its arguments
            return built(func(*args, **kwargs), "a filtered value")
        bound.apply_defaults()
        check(bound.arguments)
        return built(func(*args[:hidden], *bound.args, **bound.kwargs), "a filtered value")

    return guarded
