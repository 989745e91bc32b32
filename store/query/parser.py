"""The query syntax of segments and the search bar, parsed into a tree that writes SQL.

`tag:beauty followers>=10k -campaign:spring25 (country:FR OR country:BE) replied:no`:
space means AND, `OR` binds looser than AND, `-` or `NOT` negates, parentheses group,
bare words and "quoted phrases" search handle, name, first name and email, and
`segment:NAME` is whoever a saved segment matches (read in by `store.query.expand`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from store.query.sql import ANY_APPLICATION, Scope, term_sql
from store.query.terms import Term, build_term
from store.query.tokens import QueryError, Token, quote, tokenize

__all__ = ["Query", "QueryError", "parse_query", "And", "Or", "Not", "Segment", "Term"]

MAX_TERMS = 100
MAX_DEPTH = 20
ENDS_AND = (")", "OR")


@dataclass(frozen=True)
class And:
    """Every item matches (terms separated by spaces)."""

    items: tuple

    def __str__(self) -> str:
        return " ".join(f"({item})" if isinstance(item, Or) else str(item) for item in self.items)


@dataclass(frozen=True)
class Or:
    """At least one item matches."""

    items: tuple

    def __str__(self) -> str:
        return " OR ".join(str(item) for item in self.items)


@dataclass(frozen=True)
class Not:
    """The item does not match (`-term`, `NOT term`)."""

    item: Node

    def __str__(self) -> str:
        inner = self.item
        return f"-({inner})" if isinstance(inner, And | Or) else f"-{inner}"


@dataclass(frozen=True)
class Segment:
    """A saved segment read into the query: `name` as written in it, `root` its own tree."""

    name: str
    root: Node

    def __str__(self) -> str:
        return f"segment:{quote(self.name)}"


Node = And | Or | Not | Segment | Term


def node_sql(node: Node, now: datetime, scope: Scope = ANY_APPLICATION) -> tuple[str, list]:
    """The SQL of a node and its parameters, in order.

    A conjunction's positive `campaign:` terms say which application its `stage:` terms (at
    any depth below) are about: `campaign:Glow stage:rejected` is rejected in Glow.
    """
    if isinstance(node, Term):
        return term_sql(node, now, scope)
    if isinstance(node, Segment):
        # A segment matches the same people wherever it is used: no campaign around it scopes it.
        sql, params = node_sql(node.root, now, ANY_APPLICATION)
        return f"({sql})", params
    if isinstance(node, Not):
        sql, params = node_sql(node.item, now, scope)
        # coalesce: a NULL column (no country) does match "not country:FR".
        return f"NOT coalesce({sql}, 0)", params
    if not node.items:
        return "1", []
    if isinstance(node, And):
        scope = scope.naming([item.values for item in node.items
                              if isinstance(item, Term) and item.family == "campaign"])
    parts = [node_sql(item, now, scope) for item in node.items]
    joiner = " AND " if isinstance(node, And) else " OR "
    sql = joiner.join(part for part, _ in parts)
    return (sql if len(parts) == 1 else f"({sql})"), [p for _, params in parts for p in params]


@dataclass(frozen=True)
class Query:
    """A parsed query: `to_sql(now)` gives a WHERE expression over `influencers i`."""

    root: Node
    text: str = ""

    def to_sql(self, now: datetime, campaign_id: int | None = None) -> tuple[str, list]:
        """The WHERE expression; `campaign_id` is what a `stage:` naming no campaign is about."""
        return node_sql(self.root, now, Scope(campaign_id=campaign_id))

    @property
    def is_empty(self) -> bool:
        return isinstance(self.root, And) and not self.root.items

    def __str__(self) -> str:
        return str(self.root)


def parse_query(text: str) -> Query:
    """Parse `text`, or raise a QueryError naming the problem and where it is."""
    tokens = tokenize(text)
    terms = sum(1 for token in tokens if token.kind in ("WORD", "TERM"))
    if terms > MAX_TERMS:
        raise QueryError(f"The query has {terms} terms; at most {MAX_TERMS} are allowed.")
    return Query(_Parser(tokens).parse(), text)


class _Parser:
    """Recursive descent: or := and (OR and)*; and := unary+; unary := -unary | (or) | term."""

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.index = 0

    def peek(self) -> Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def parse(self) -> Node:
        if not self.tokens:
            return And(())
        root = self.or_expr(0)
        extra = self.peek()
        if extra is not None:
            raise QueryError(f"Unbalanced parentheses: ')' at position {extra.pos} has no matching '('.")
        return root

    def or_expr(self, depth: int) -> Node:
        items = [self.and_expr(depth)]
        while (token := self.peek()) is not None and token.kind == "OR":
            self.take()
            following = self.peek()
            if following is None or following.kind in (")", "OR", "AND"):
                raise _dangling(token)
            items.append(self.and_expr(depth))
        return items[0] if len(items) == 1 else Or(_flat(items, Or))

    def and_expr(self, depth: int) -> Node:
        items: list[Node] = []
        while (token := self.peek()) is not None and token.kind not in ENDS_AND:
            if token.kind == "AND":
                self.take()
                following = self.peek()
                if not items or following is None or following.kind in (*ENDS_AND, "AND"):
                    raise _dangling(token)
                continue
            items.append(self.unary(depth))
        if not items:
            raise _dangling(token) if token is not None and token.kind == "OR" else _stray(token)
        return items[0] if len(items) == 1 else And(_flat(items, And))

    def unary(self, depth: int) -> Node:
        token = self.take()
        if depth >= MAX_DEPTH:
            raise QueryError(f"The query nests parentheses or negations more than {MAX_DEPTH} deep.")
        if token.kind in ("-", "NOT"):
            following = self.peek()
            if following is None or following.kind in (*ENDS_AND, "AND"):
                raise QueryError(f"{token.text!r} at position {token.pos} needs a term right after it.")
            return Not(self.unary(depth + 1))
        if token.kind == "(":
            return self.group(token, depth)
        return build_term(token)

    def group(self, opening: Token, depth: int) -> Node:
        unclosed = QueryError(f"Unbalanced parentheses: '(' at position {opening.pos} is never closed.")
        if (token := self.peek()) is None:
            raise unclosed
        if token.kind == ")":
            raise QueryError(f"Empty parentheses at position {opening.pos}.")
        inner = self.or_expr(depth + 1)
        if self.peek() is None:
            raise unclosed
        self.take()
        return inner


def _flat(items: list[Node], kind: type[And] | type[Or]) -> tuple:
    """Nested groups of the same kind merge: `a (b c)` is `a b c`."""
    return tuple(part for item in items for part in (item.items if isinstance(item, kind) else (item,)))


def _dangling(token: Token) -> QueryError:
    return QueryError(f"{token.text!r} at position {token.pos} needs a term on each side.")


def _stray(token: Token | None) -> QueryError:
    if token is None:
        return QueryError("The query ends where a term was expected.")
    return QueryError(f"Unbalanced parentheses: ')' at position {token.pos} has no matching '('.")
