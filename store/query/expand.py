"""Saved segments inside a query: each `segment:NAME` term replaced by that segment's own tree.

Parsing stays pure; this step reads the segments through a lookup (the database's, in
`store.segments`) just before the SQL is written, so a query follows a segment as it is now.
A segment that includes itself, directly or through others, is refused.
"""

from __future__ import annotations

from collections.abc import Callable

from store.query.parser import Node, Not, Query, Segment, Term, parse_query
from store.query.tokens import QueryError

# A segment's name as written -> (its name as saved, its query text); raises a UserError when unknown.
SegmentLookup = Callable[[str], tuple[str, str]]
MAX_NESTING = 10
# Segments used twice are written twice in the SQL: cap the terms once all are read in.
MAX_TERMS = 1000


def segment_names(node: Node) -> set[str]:
    """The names of the segments `node` refers to directly, as written."""
    if isinstance(node, Term):
        return {node.values[0]} if node.family == "segment" else set()
    if isinstance(node, Segment):
        return {node.name}
    if isinstance(node, Not):
        return segment_names(node.item)
    return {name for item in node.items for name in segment_names(item)}


def expand(query: Query, lookup: SegmentLookup) -> Query:
    """`query` with every segment it names read in through `lookup`, or one sentence refusing it."""
    if not segment_names(query.root):
        return query
    return Query(_Expander(lookup).node(query.root, ()), query.text)


class _Expander:
    """Reads each segment once (a segment used twice shares its tree) and counts the terms."""

    def __init__(self, lookup: SegmentLookup) -> None:
        self.lookup = lookup
        self.read: dict[str, tuple[str, Node, int]] = {}  # casefolded name -> (name, tree, terms)
        self.terms = 0

    def node(self, node: Node, path: tuple[str, ...]) -> Node:
        if isinstance(node, Term):
            if node.family == "segment":
                return self.segment(node.values[0], path)
            self.count(1)
            return node
        if isinstance(node, Segment):
            return node
        if isinstance(node, Not):
            return Not(self.node(node.item, path))
        return type(node)(tuple(self.node(item, path) for item in node.items))

    def segment(self, written: str, path: tuple[str, ...]) -> Segment:
        name, text = self.lookup(written)
        key = name.casefold()
        if key in (step.casefold() for step in path):
            loop = " -> ".join((*path[[p.casefold() for p in path].index(key):], name))
            raise QueryError(f"The segment {name!r} includes itself ({loop}); a segment cannot "
                             f"refer to itself, directly or through other segments.")
        if len(path) >= MAX_NESTING:
            raise QueryError(f"Segments nest more than {MAX_NESTING} deep in {' -> '.join(path)}.")
        if key not in self.read:
            before = self.terms
            tree = self.node(parse_query(text).root, (*path, name))
            self.read[key] = (name, tree, self.terms - before)
        else:
            self.count(self.read[key][2])
        return Segment(name, self.read[key][1])

    def count(self, terms: int) -> None:
        self.terms += terms
        if self.terms > MAX_TERMS:
            raise QueryError(f"The query has more than {MAX_TERMS} terms once its segments are read in.")

