"""A jinja2 sandbox that also bounds work: CPU, memory and output of one render.

jinja2's sandbox stops Python escapes but not work: `{{ 7 ** 9999999 % 10 }}`
burnt 9.2 s of CPU at compile time here (constant folding), and nested loops run
forever. So the optimizer is off, `** * + %` are intercepted and size-checked,
every loop, call, filter and `~` ticks a per-render budget with a deadline, and
the output is capped while it streams.
"""

from __future__ import annotations

import functools
import re
import string
import time
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from typing import Any

from jinja2 import Environment, StrictUndefined, nodes
from jinja2.nodes import EvalContext
from jinja2.runtime import Context, markup_join, str_join
from jinja2.sandbox import SandboxedEnvironment

OUTPUT_LIMIT = 100_000  # characters of one rendered subject or body
VALUE_LIMIT = 100_000  # characters or items of any value built while rendering
STEP_LIMIT = 100_000  # loop iterations, calls, filters and joins per render
TIME_LIMIT = 0.5  # seconds of wall time per render
RANGE_LIMIT = 10_000
INT_BITS = 4_096
_ITER = "__callsheet_iter"
_CONCAT = "__callsheet_concat"


class LimitExceeded(Exception):
    """A template tried to do more work than one email needs."""


class Budget:
    """Steps and a deadline for one render."""

    def __init__(self) -> None:
        self.steps = 0
        self.deadline = time.monotonic() + TIME_LIMIT

    def tick(self) -> None:
        self.steps += 1
        if self.steps > STEP_LIMIT:
            raise LimitExceeded(f"it does too much work (over {STEP_LIMIT:,} loop steps or calls)")
        if self.steps % 64 == 0 and time.monotonic() > self.deadline:
            raise LimitExceeded(f"it takes too long to render (over {TIME_LIMIT} s)")


_budget: ContextVar[Budget | None] = ContextVar("template_budget", default=None)


def tick() -> None:
    budget = _budget.get()
    if budget is not None:
        budget.tick()


def _too_big(size: int, what: str) -> None:
    if size > VALUE_LIMIT:
        raise LimitExceeded(f"it builds {what} too large ({size:,} over {VALUE_LIMIT:,})")


def _sized(value: Any) -> int:
    return len(value) if isinstance(value, str | list | tuple | bytes) else 0


_PERCENT_SPEC = re.compile(r"%[#0\- +]*(\d+|\*)?(?:\.(\d+|\*))?")


def check_format(text: str) -> None:
    """Refuse %- and {}-format strings whose widths would build huge values."""
    for width, precision in _PERCENT_SPEC.findall(text):
        for number in (width, precision):
            if number == "*":
                raise LimitExceeded("it uses a computed format width ('*')")
            if number and int(number) > VALUE_LIMIT:
                _too_big(int(number), "a formatted value")
    try:
        fields = list(string.Formatter().parse(text))
    except ValueError:
        return  # str.format itself will refuse it with its own words
    for _literal, _field, spec, _conversion in fields:
        if spec and "{" in spec:
            raise LimitExceeded("it uses a computed format width")
        for number in re.findall(r"\d+", spec or ""):
            _too_big(int(number), "a formatted value")


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
        if isinstance(count, int) and _sized(seq):
            _too_big(_sized(seq) * max(count, 0), "a repeated value")


def _check_str_method(method: Any, args: tuple, kwargs: dict) -> None:
    """Size-check the str methods that can multiply their input."""
    owner = getattr(method, "__self__", None)
    name = getattr(method, "__name__", "")
    if isinstance(owner, str) and name in ("center", "ljust", "rjust", "zfill"):
        _too_big(max([0, *(a for a in args if isinstance(a, int))]), "a padded string")
    elif isinstance(owner, str) and name == "expandtabs":
        width = args[0] if args and isinstance(args[0], int) else kwargs.get("tabsize", 8)
        _too_big(len(owner) + owner.count("\t") * width, "an expanded string")
    elif isinstance(owner, str) and name == "replace" and len(args) >= 2:
        old, new = str(args[0]), str(args[1])
        _too_big(len(owner) + (owner.count(old) if old else len(owner) + 1) * len(new), "a string")
    elif isinstance(owner, str) and name == "join" and args:
        _check_join(args[0], owner)


def _check_join(items: Any, separator: str) -> None:
    if isinstance(items, list | tuple):
        total = sum(len(str(i)) for i in items) + len(separator) * len(items)
        _too_big(total, "a joined string")


def _guard_filter(name: str, func: Callable) -> Callable:
    """Tick on every filter call and pre-check the filters that can multiply text."""

    @functools.wraps(func)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        tick()
        first = next((i for i, a in enumerate(args)
                      if not isinstance(a, Context | EvalContext | Environment)), len(args))
        values = list(args[first:])
        if name in ("center", "indent") and len(values) >= 2 and isinstance(values[1], int):
            lines = str(values[0]).count("\n") + 1
            _too_big(len(str(values[0])) + values[1] * lines, "a padded string")
        elif name == "replace" and len(values) >= 3:
            _check_str_method(str(values[0]).replace, tuple(values[1:3]), {})
        elif name == "join" and values and not isinstance(values[0], str):
            values[0] = list(values[0])  # bounded: every iterable here was built under the budget
            _check_join(values[0], str(values[1]) if len(values) > 1 else "")
            args = (*args[:first], *values)
        elif name == "format" and values:
            check_format(str(values[0]))
        result = func(*args, **kwargs)
        _too_big(_sized(result), "a filtered value")
        return result

    return guarded


def _bounded_range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > RANGE_LIMIT:
        raise LimitExceeded(f"it asks for a range of {len(numbers):,} numbers (at most {RANGE_LIMIT:,})")
    return numbers


def _iterate(items: Iterable) -> Iterator:
    for item in items:
        tick()
        yield item


class GuardedEnvironment(SandboxedEnvironment):
    """SandboxedEnvironment + StrictUndefined, with every unbounded operation metered."""

    intercepted_binops = frozenset({"**", "*", "+", "%"})

    def __init__(self, *, autoescape: bool) -> None:
        # optimized=False: constant folding would run `7 ** 9999999` while compiling.
        super().__init__(undefined=StrictUndefined, autoescape=autoescape, optimized=False,
                         keep_trailing_newline=True)
        self.filters = {name: _guard_filter(name, f) for name, f in self.filters.items()}
        self.globals.pop("lipsum", None)
        join = markup_join if autoescape else str_join
        self.globals.update(range=_bounded_range, **{_ITER: _iterate, _CONCAT: self._concat(join)})

    @staticmethod
    def _concat(join: Callable[[Iterable], str]) -> Callable[..., str]:
        def concat(*parts: Any) -> str:
            tick()
            _too_big(sum(len(str(p)) for p in parts), "a joined string")
            return join(parts)

        return concat

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        tick()
        if operator == "**":
            _check_power(left, right)
        elif operator == "*":
            _check_product(left, right)
        elif operator == "+" and _sized(left) and _sized(right):
            _too_big(_sized(left) + _sized(right), "a joined value")
        elif operator == "%" and isinstance(left, str):
            check_format(left)
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        tick()
        _check_str_method(__obj, args, kwargs)
        return super().call(__context, __obj, *args, **kwargs)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapped = super().wrap_str_format(value)
        if wrapped is not None:
            check_format(value.__self__)
        return wrapped

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


class metered:
    """Context manager: a fresh budget for the renders inside it."""

    def __enter__(self) -> Budget:
        self._budget = Budget()
        self._token = _budget.set(self._budget)
        return self._budget

    def __exit__(self, *exc: object) -> None:
        _budget.reset(self._token)
