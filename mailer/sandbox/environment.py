"""A jinja2 sandbox that also bounds work: CPU, memory and output of one render.

jinja2's sandbox stops Python escapes but not work: `{{ 7 ** 9999999 % 10 }}`
burnt 9.2 s of CPU at compile time here (constant folding), nested loops run
forever, and `('{0:99999}' * 11000).format(1)` asks for 2 GB. So the optimizer is
off; `** * + %`, method calls, str.format, filters, `~`, slices, block and macro
buffers and every printed value are size-checked before they build anything large
and charged to a per-render total (sandbox_budget.py); every loop, call and filter
ticks a step budget with a deadline; and the output is capped while it streams.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Iterable
from typing import Any

from jinja2 import StrictUndefined, nodes
from jinja2.runtime import markup_join, str_join
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from mailer.sandbox.budget import OUTPUT_LIMIT, LimitExceeded, built, charge, measure, metered, tick, too_big
from mailer.sandbox.calls import check_call
from mailer.sandbox.filters import guard_filter
from mailer.sandbox.sizes import MeteredEscapeFormatter, MeteredFormatter, check_text, percent_size

__all__ = ["OUTPUT_LIMIT", "GuardedEnvironment", "LimitExceeded", "metered"]

RANGE_LIMIT = 10_000
INT_BITS = 4_096
_ITER = "__callsheet_iter"
_CONCAT = "__callsheet_concat"


def _check_power(left: Any, right: Any) -> None:
    if not (isinstance(left, int) and isinstance(right, int)):
        return  # floats overflow quickly by themselves
    if right > INT_BITS or abs(left).bit_length() * max(right, 0) > INT_BITS:
        raise LimitExceeded("it raises a number to too large a power")


def _check_product(left: Any, right: Any) -> None:
    if isinstance(left, int) and isinstance(right, int):
        if left.bit_length() + right.bit_length() > INT_BITS:
            raise LimitExceeded("it multiplies numbers that are too large")
        return
    for seq, count in ((left, right), (right, left)):
        if isinstance(count, int) and measure(seq):
            too_big(measure(seq) * max(count, 0), "a repeated value")


def _check_binop(operator: str, left: Any, right: Any) -> None:
    if operator == "**":
        _check_power(left, right)
    elif operator == "*":
        _check_product(left, right)
    elif operator == "+" and measure(left) and measure(right):
        too_big(measure(left) + measure(right), "a joined value")
    elif operator == "%" and isinstance(left, str):
        percent_size(left, right)


def _bounded_range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > RANGE_LIMIT:
        raise LimitExceeded(f"it asks for a range of {len(numbers):,} numbers (at most {RANGE_LIMIT:,})")
    return numbers


def _iterate(items: Iterable) -> Iterable:
    for item in items:
        tick()
        yield item


def _printed(value: Any) -> Any:
    """Every `{{ value }}`: its text is size-checked before it is built, and charged."""
    charge(check_text(value, "a printed value"))
    return value


def _buffer_join(parts: Iterable[str]) -> str:
    """Joining a block's or a macro's output (jinja2's `environment.concat`), size-checked first."""
    parts = list(parts)
    tick()
    too_big(sum(len(part) for part in parts), "a block of text")
    return built("".join(parts), "a block of text")


class GuardedEnvironment(SandboxedEnvironment):
    """SandboxedEnvironment + StrictUndefined, with every unbounded operation metered."""

    intercepted_binops = frozenset({"**", "*", "+", "%"})

    def __init__(self, *, autoescape: bool) -> None:
        # optimized=False: constant folding would run `7 ** 9999999` while compiling.
        super().__init__(undefined=StrictUndefined, autoescape=autoescape, optimized=False,
                         keep_trailing_newline=True, finalize=_printed)
        self.concat = _buffer_join  # type: ignore[method-assign]
        self.filters = {name: guard_filter(name, f) for name, f in self.filters.items()}
        self.globals.pop("lipsum", None)
        join = markup_join if autoescape else str_join
        self.globals.update(range=_bounded_range, **{_ITER: _iterate, _CONCAT: self._concat(join)})

    @staticmethod
    def _concat(join: Callable[[Iterable], str]) -> Callable[..., str]:
        def concat(*parts: Any) -> str:
            tick()
            too_big(sum(check_text(part, "a joined string") for part in parts), "a joined string")
            return join(parts)

        return concat

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        tick()
        _check_binop(operator, left, right)
        return built(super().call_binop(context, operator, left, right), "a value")

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        tick()
        args = check_call(__obj, args, kwargs)
        return built(super().call(__context, __obj, *args, **kwargs), "a value")

    def getitem(self, obj: Any, argument: Any) -> Any:
        value = super().getitem(obj, argument)
        return built(value, "a slice") if isinstance(argument, slice) else value

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """str.format and format_map through a formatter that meters every field."""
        if not (isinstance(value, types.MethodType | types.BuiltinMethodType)
                and value.__name__ in ("format", "format_map") and isinstance(value.__self__, str)):
            return None
        text = value.__self__
        formatter = (MeteredEscapeFormatter(self, escape=text.escape) if isinstance(text, Markup)
                     else MeteredFormatter(self))
        as_map = value.__name__ == "format_map"

        def format_text(*args: Any, **kwargs: Any) -> str:
            if as_map and (kwargs or len(args) != 1):
                raise TypeError("format_map() takes exactly one argument")
            fields = args[0] if as_map else kwargs
            return type(text)(formatter.vformat(text, () if as_map else args, fields))

        return format_text

    def meter(self, tree: nodes.Template) -> nodes.Template:
        """Route every loop and `~` of a parsed template through the budget."""
        for name in tree.find_all(nodes.Name):
            if name.name in (_ITER, _CONCAT):
                raise LimitExceeded(f"it uses the reserved name {name.name}")
        for loop in tree.find_all(nodes.For):
            loop.iter = nodes.Call(nodes.Name(_ITER, "load"), [loop.iter], [], None, None,
                                   lineno=loop.lineno)
        for concat in list(tree.find_all(nodes.Concat)):
            call = nodes.Call(nodes.Name(_CONCAT, "load"), list(concat.nodes), [], None, None,
                              lineno=concat.lineno)
            _replace(tree, concat, call)
        return tree


def _replace(tree: nodes.Node, old: nodes.Node, new: nodes.Node) -> None:
    """Swap `old` for `new` wherever a parent holds it."""
    for parent in [tree, *tree.find_all(nodes.Node)]:
        for field in parent.fields:
            value = getattr(parent, field, None)
            if value is old:
                setattr(parent, field, new)
            elif isinstance(value, list) and any(v is old for v in value):
                setattr(parent, field, [new if v is old else v for v in value])
