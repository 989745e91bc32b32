"""Splitting a query into tokens: words, `key:value` terms, quotes, parentheses and operators."""

from __future__ import annotations

import re
from dataclasses import dataclass

from store.errors import UserError

MAX_LENGTH = 4000
KEYWORDS = ("OR", "AND", "NOT")
# A key starts with a letter; the first operator after it ends it (`a:b:c` is key `a`, value `b:c`).
TERM_RE = re.compile(r"([A-Za-z][\w.\-]*?)(>=|<=|:|>|<|=)(.*)", re.DOTALL)
STOP_CHARS = '()"'


class QueryError(UserError):
    """A query that cannot be read: one sentence naming the problem and where it is."""


@dataclass(frozen=True)
class Token:
    """One piece of a query: kind is `(`, `)`, `-`, OR, AND, NOT, WORD or TERM."""

    kind: str
    pos: int  # 1-based character position, as people count
    text: str  # the source text of the token
    key: str = ""
    op: str = ""
    value: str = ""
    quoted: bool = False


def tokenize(text: str) -> list[Token]:
    """Split `text` into tokens, or raise a QueryError naming the first problem."""
    _check_text(text)
    tokens: list[Token] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char.isspace():
            index += 1
        elif char in "()":
            tokens.append(Token(char, index + 1, char))
            index += 1
        elif char == "-":
            _check_negation(text, index)
            tokens.append(Token("-", index + 1, "-"))
            index += 1
        else:
            token, index = _read_word(text, index)
            tokens.append(token)
    return tokens


def _check_text(text: str) -> None:
    if len(text) > MAX_LENGTH:
        raise QueryError(f"The query is too long ({len(text)} characters; at most {MAX_LENGTH}).")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise QueryError(f"The query has an invalid character at position {error.start + 1}.") from None


def _check_negation(text: str, index: int) -> None:
    following = text[index + 1:index + 2]
    if not following or following.isspace() or following == ")":
        raise QueryError(
            f"The '-' at position {index + 1} must be followed directly by a term, as in -tag:food."
        )


def _read_word(text: str, start: int) -> tuple[Token, int]:
    """A bare word, a quoted phrase, or a `key<op>value` term whose value may be quoted."""
    end = start
    while end < len(text) and not text[end].isspace() and text[end] not in STOP_CHARS:
        end += 1
    raw = text[start:end]
    match = TERM_RE.fullmatch(raw)
    if end < len(text) and text[end] == '"':
        if raw and not (match and match.group(3) == ""):
            raise QueryError(
                f"Unexpected quote at position {end + 1} in {text[start:end + 1]!r}; "
                f'quote a whole value, as in name:"Ana Silva".'
            )
        value, after = _read_quoted(text, end)
        source = text[start:after]
        if match:
            return Token("TERM", start + 1, source, match.group(1), match.group(2), value, True), after
        return Token("WORD", start + 1, source, value=value, quoted=True), after
    if match:
        return Token("TERM", start + 1, raw, match.group(1), match.group(2), match.group(3)), end
    if raw in KEYWORDS:
        return Token(raw, start + 1, raw), end
    return Token("WORD", start + 1, raw, value=raw), end


def _read_quoted(text: str, quote: int) -> tuple[str, int]:
    """The unescaped content of the quoted string starting at `quote`, and the index after it."""
    chars: list[str] = []
    index = quote + 1
    while index < len(text):
        char = text[index]
        if char == "\\" and text[index + 1:index + 2] in ('"', "\\"):
            chars.append(text[index + 1])
            index += 2
            continue
        if char == '"':
            _check_after_quote(text, index + 1)
            return "".join(chars), index + 1
        chars.append(char)
        index += 1
    raise QueryError(f'Unterminated quote at position {quote + 1}: add the closing ".')


def _check_after_quote(text: str, index: int) -> None:
    if index < len(text) and not text[index].isspace() and text[index] not in "()":
        raise QueryError(
            f"Unexpected text at position {index + 1} right after a closing quote; "
            f"put a space between terms."
        )


def quote(value: str, *, also: str = "") -> str:
    """`value` as it is written in a query: bare when it can be, quoted and escaped otherwise."""
    if value and not any(ch.isspace() or ch in STOP_CHARS or ch in also for ch in value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
