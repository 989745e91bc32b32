"""The query syntax of segments and the search bar (being written: see tests/test_query.py)."""

from __future__ import annotations


def parse_query(text: str) -> object:
    return text
