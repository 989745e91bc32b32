"""The keys of the query syntax: reading and checking one term's value into a `Term`."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from decimal import Decimal

from store.query.tokens import KEYWORDS, TERM_RE, QueryError, Token, quote

# key -> family; the family decides which values and operators a key takes.
KEYS: dict[str, str] = {
    "tag": "list", "platform": "list", "country": "code", "language": "code",
    "handle": "text", "name": "text", "email": "text",
    "followers": "number", "engagement": "number",
    "campaign": "campaign", "stage": "stage", "contacted": "contacted", "clicked": "clicked", "has": "has",
    "replied": "replied", "invited": "flag", "bookmarked": "flag", "unsubscribed": "flag",
    "bounced": "flag", "suppressed": "flag", "segment": "segment",
}
ALIASES = {"tags": "tag", "platforms": "platform", "engagement_rate": "engagement", "lang": "language"}
STAGES = ("invited", "to review", "ineligible", "shortlisted", "declined", "agreement sent", "signed",
          "refused", "expired", "in campaign", "rejected")
HAS = ("email", "address", "notes")
YES = {"yes": True, "y": True, "true": True, "no": False, "n": False, "false": False}
COMPARISONS = (">=", "<=", ">", "<")
NUMBER_RE = re.compile(r"(\d{1,12}(?:\.\d{1,6})?|\.\d{1,6})([km]?)", re.IGNORECASE)
DAYS_RE = re.compile(r"(\d{1,5})([dw])", re.IGNORECASE)
MAX_DAYS = 36_500
NUMERIC_FAMILIES = ("number", "contacted", "clicked", "var")
WHEN_FAMILIES = ("contacted", "clicked")  # yes, no, or within / longer ago than N days
LIST_FAMILIES = ("list", "code", "campaign", "stage")


@dataclass(frozen=True)
class Term:
    """One checked condition: a key of a family, an operator and its normalised values."""

    family: str
    key: str
    op: str
    values: tuple
    name: str = ""  # the custom variable of a `var.NAME` term

    def __str__(self) -> str:
        if self.family == "word":
            return _word_text(self.values[0])
        key = f"var.{self.name}" if self.family == "var" else self.key
        return f"{key}{self.op}{self._value_text()}"

    def _value_text(self) -> str:
        if self.family == "number":
            return "..".join(_number_text(v) for v in self.values)
        if self.family in ("flag", "replied", *WHEN_FAMILIES) and isinstance(self.values[0], bool):
            return "yes" if self.values[0] else "no"
        if self.family in WHEN_FAMILIES:
            return f"{self.values[0]}d"
        if self.family == "var" and self.op != ":":
            return _number_text(self.values[0])
        if self.family == "stage":
            return ",".join(v.replace(" ", "_") for v in self.values)
        if len(self.values) > 1:
            return ",".join(self.values)
        return quote(str(self.values[0]), also="," if self.family in LIST_FAMILIES else "")


def _word_text(value: str) -> str:
    if value in KEYWORDS or TERM_RE.fullmatch(value) or value.startswith("-"):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return quote(value)


def _number_text(value: int | float) -> str:
    return str(value) if isinstance(value, int) else format(Decimal(repr(value)).normalize(), "f")


def build_term(token: Token) -> Term:
    """Check a WORD or TERM token and return its Term, or raise one sentence."""
    if token.kind == "WORD":
        return _word(token)
    key = token.key.lower()
    if key.startswith("var."):
        return _var(token, token.key[4:])
    key = ALIASES.get(key, key)
    family = KEYS.get(key)
    if family is None:
        raise QueryError(_unknown_key(token))
    if token.value == "":
        raise QueryError(f"{token.text!r} needs a value after the {token.op!r}.")
    if family not in NUMERIC_FAMILIES and token.op not in (":", "="):
        raise QueryError(f"{token.text!r} compares, but {key} is not a number; write {key}:VALUE.")
    return READERS[family](token, key)


def _word(token: Token) -> Term:
    # "@ana" is how people write a handle; a lone "@" is searched as it is.
    value = token.value.lstrip("@") or token.value
    if value == "":
        raise QueryError(f"Empty quotes at position {token.pos}.")
    return Term("word", "", ":", (value,))


def _unknown_key(token: Token) -> str:
    known = [*KEYS, *ALIASES, "var"]
    close = difflib.get_close_matches(token.key.lower(), known, n=1, cutoff=0.6)
    where = f"Unknown key {token.key!r} in {token.text!r}"
    if close:
        return f"{where}; did you mean {ALIASES.get(close[0], close[0])!r}?"
    return f"{where}; the keys are {', '.join(KEYS)} and var.NAME."


def _values(token: Token) -> tuple[str, ...]:
    """Comma-separated alternatives (`country:FR,BE`), unless the value was quoted."""
    parts = (token.value,) if token.quoted else tuple(p.strip() for p in token.value.split(","))
    if any(not p for p in parts):
        raise QueryError(f"{token.text!r} has an empty value in its list.")
    return parts


def _text(token: Token, key: str) -> Term:
    value = token.value.lstrip("@") if key == "handle" else token.value
    if not value:
        raise QueryError(f"{token.text!r} needs a value after the {token.op!r}.")
    return Term("text", key, ":", (value,))


def _list(token: Token, key: str) -> Term:
    return Term(KEYS[key], key, ":", _values(token))


def _stage(token: Token, key: str) -> Term:
    stages = []
    for value in _values(token):
        stage = " ".join(value.lower().replace("_", " ").replace("-", " ").split())
        if stage not in STAGES:
            close = difflib.get_close_matches(stage, STAGES, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}?" if close else f"the stages are {', '.join(STAGES)}."
            raise QueryError(f"Unknown stage {value!r} in {token.text!r}; {hint}")
        stages.append(stage)
    return Term("stage", key, ":", tuple(stages))


def _number(token: Token, key: str) -> Term:
    raw = token.value
    if token.op in (":", "=") and ".." in raw:
        low, _, high = raw.partition("..")
        bounds = (_read_number(token, key, low), _read_number(token, key, high))
        if bounds[0] > bounds[1]:
            raise QueryError(f"{token.text!r} is an empty range: the lower bound comes first.")
        return Term("number", key, ":", bounds)
    op = ":" if token.op == "=" else token.op
    return Term("number", key, op, (_read_number(token, key, raw),))


def _read_number(token: Token, key: str, raw: str) -> int | float:
    text = raw.strip()
    if key == "engagement" and text.endswith("%"):
        text = text[:-1]
    match = NUMBER_RE.fullmatch(text)
    if not match:
        example = "3.5 (percent)" if key == "engagement" else "10000, 10k or 1.5m"
        raise QueryError(f"{key} needs a number such as {example}, not {raw!r} (in {token.text!r}).")
    # Decimal, so 1.1k is exactly 1100 and not 1100.0000000000002.
    number = Decimal(match.group(1)) * {"": 1, "k": 1_000, "m": 1_000_000}[match.group(2).lower()]
    return int(number) if number == number.to_integral_value() else float(number)


def _yes_no(token: Token, key: str) -> bool:
    answer = YES.get(token.value.strip().lower())
    if answer is None:
        raise QueryError(f"{key} takes yes or no, not {token.value!r} (in {token.text!r}).")
    return answer


def _flag(token: Token, key: str) -> Term:
    return Term("flag", key, ":", (_yes_no(token, key),))


def _replied(token: Token, key: str) -> Term:
    """`replied:yes|no`, or a reply marked positive, negative or neutral (`replied:positive`)."""
    from store.reply_signal import SIGNALS  # the reply rules load with the first query that names one

    signal = token.value.strip().lower()
    if signal in SIGNALS:
        return Term("replied", key, ":", (signal,))
    if signal not in YES:
        raise QueryError(f"replied takes yes, no, positive, negative or neutral, not {token.value!r} "
                         f"(in {token.text!r}).")
    return Term("replied", key, ":", (YES[signal],))


def _when(token: Token, key: str) -> Term:
    """`contacted:` and `clicked:`: yes, no, within N days (`:7d`, `<2w`) or only longer ago (`>30d`)."""
    match = DAYS_RE.fullmatch(token.value.strip())
    if match is None:
        if token.op in (":", "=") and token.value.strip().lower() in YES:
            return Term(key, key, ":", (_yes_no(token, key),))
        raise QueryError(
            f"{key} takes yes, no or a number of days such as 7d or 2w, "
            f"not {token.value!r} (in {token.text!r})."
        )
    days = int(match.group(1)) * (7 if match.group(2).lower() == "w" else 1)
    if days > MAX_DAYS:
        raise QueryError(f"{token.text!r} reaches back more than {MAX_DAYS} days.")
    # Within N days (`:`, `<`, `<=`) or only longer ago than that (`>`, `>=`).
    return Term(key, key, ">" if token.op in (">", ">=") else ":", (days,))


def _has(token: Token, key: str) -> Term:
    what = token.value.strip().lower()
    if what not in HAS:
        raise QueryError(f"has takes {', '.join(HAS)}, not {token.value!r} (in {token.text!r}).")
    return Term("has", key, ":", (what,))


def _segment(token: Token, key: str) -> Term:
    # The whole value is one name (names may hold commas); it is read in when the SQL is written.
    name = token.value.strip()
    if not name:
        raise QueryError(f"{token.text!r} needs a segment name after the {token.op!r}.")
    return Term("segment", key, ":", (name,))


def _var(token: Token, name: str) -> Term:
    if not name:
        raise QueryError(f"{token.text!r} needs a variable name after 'var.', as in var.city:Paris.")
    if token.value == "":
        raise QueryError(f"{token.text!r} needs a value after the {token.op!r}.")
    if token.op in COMPARISONS:
        return Term("var", "var", token.op, (_read_number(token, f"var.{name}", token.value),), name)
    return Term("var", "var", ":", (token.value,), name)


READERS = {
    "text": _text, "list": _list, "code": _list, "campaign": _list, "stage": _stage,
    "number": _number, "flag": _flag, "replied": _replied, "contacted": _when, "clicked": _when, "has": _has,
    "segment": _segment,
}
