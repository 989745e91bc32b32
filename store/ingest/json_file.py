"""Reading JSON: a list of objects, or `{"influencers": [...]}`; rows are numbered by item (1-based).

Keys play the part of column names (the header is every key, in order of first
appearance). Values may be text, numbers, booleans or null; `platform` and `tags`
may also be lists of texts, and a `custom` object adds custom variables.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from store.errors import UserError
from store.ingest import decoding
from store.ingest.source import Cell, RawRow, SourceTable, check_header

LIST_KEYS = {"platform", "platforms", "tags", "tag"}


class _Pairs(dict):
    """A JSON object that remembers the keys it saw twice (json keeps only the last one)."""

    duplicates: list[str]


def _pairs(pairs: list[tuple[str, Any]]) -> _Pairs:
    obj = _Pairs(pairs)
    seen: set[str] = set()
    obj.duplicates = []
    for key, _ in pairs:
        if key in seen:
            obj.duplicates.append(key)
        seen.add(key)
    return obj


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number JSON allows")


def read(path: Path, data: bytes) -> SourceTable:
    """Read a JSON file into a header (every key seen) and one row per item."""
    text, notes = decoding.decode(path, data)
    items = _items(path, text)
    header: list[str] = []
    known: dict[str, int] = {}
    flat_items = []
    for item in items:
        flat = _flatten(item) if isinstance(item, _Pairs) else None
        for key in flat or {}:
            if key not in known:
                known[key] = len(header)
                header.append(key)
        flat_items.append((item, flat))
    check_header(path.name, header, "key")
    rows = [_row(number, item, flat, header)
            for number, (item, flat) in enumerate(flat_items, start=1)]
    labels = [f"field {key!r}" for key in header]
    return SourceTable(path.name, "json", header, rows, unit="item", column_labels=labels, notes=notes)


def _items(path: Path, text: str) -> list[Any]:
    if not text.strip():
        return []
    try:
        document = json.loads(text, object_pairs_hook=_pairs, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        raise UserError(f"{path.name} is not valid JSON: {error.msg} at line {error.lineno}, "
                        f"column {error.colno}.") from None
    except ValueError as error:
        raise UserError(f"{path.name} is not valid JSON: {error}.") from None
    except RecursionError:
        raise UserError(f"{path.name} is nested too deeply to be a list of influencers.") from None
    if isinstance(document, dict) and isinstance(document.get("influencers"), list):
        return document["influencers"]
    if isinstance(document, list):
        return document
    raise UserError(f'{path.name} must hold a list of influencer objects, or {{"influencers": [...]}}.')


def _flatten(item: _Pairs) -> dict[str, Any]:
    """The item's keys, with those of a `custom` object lifted beside them."""
    flat = {k: v for k, v in item.items() if not (k == "custom" and isinstance(v, dict))}
    custom = item.get("custom")
    if isinstance(custom, dict):
        for key, value in custom.items():
            flat.setdefault(key, value)
    return flat


def _row(number: int, item: Any, flat: dict[str, Any] | None, header: list[str]) -> RawRow:
    if flat is None:
        return RawRow(number, [None] * len(header), f"is {_kind(item)}, not an object with fields")
    cells: list[Cell] = [None] * len(header)
    problems = []
    if item.duplicates:
        problems.append(f"has the key {item.duplicates[0]!r} twice")
    index = {key: i for i, key in enumerate(header)}
    for key, value in flat.items():
        cell, problem = _cell(key, value)
        cells[index[key]] = cell
        if problem:
            problems.append(problem)
    return RawRow(number, cells, "; ".join(problems) or None)


def _cell(key: str, value: Any) -> tuple[Cell, str | None]:
    if value is None:
        return None, None
    if isinstance(value, bool):
        return ("true" if value else "false"), None
    if isinstance(value, int):
        return str(value), None
    if isinstance(value, float):
        return (str(int(value)) if value.is_integer() else repr(value)), None
    if isinstance(value, str):
        return value, None
    if isinstance(value, list) and key.lower() in LIST_KEYS:
        if all(isinstance(v, str) for v in value):
            return list(value), None
        return None, f"{key!r} must be a list of texts"
    return None, f"{key!r} holds {_kind(value)}; only platform and tags may hold a list"


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    return "a number" if isinstance(value, int | float) else "a text"
