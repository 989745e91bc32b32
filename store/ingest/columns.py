"""Which column of a file is which influencer field, and which ones become custom variables.

Header names are matched after normalising them to identifiers: case, spaces,
dashes, accents and punctuation do not matter ("First name", "first-name" and
"FIRST_NAME" are one column), and a few aliases are known ("username", "e-mail").
Every other named column becomes a custom variable whose key is usable in a template
("Shoe size" → `shoe_size`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from store.errors import UserError
from store.ingest.source import SourceTable

FIELDS = ("handle", "name", "first_name", "email", "platform", "followers", "engagement_rate",
          "country", "language", "tags", "address")
ALIASES = {
    "username": "handle", "firstname": "first_name", "given_name": "first_name",
    "full_name": "name", "fullname": "name", "e_mail": "email", "email_address": "email",
    "platforms": "platform", "followers_count": "followers", "follower_count": "followers",
    "engagement": "engagement_rate", "country_code": "country", "lang": "language",
    "tag": "tags", "postal_address": "address",
}
# Words a template cannot use as a variable name: jinja2 reads them as operators or constants.
RESERVED = {"and", "or", "not", "in", "is", "if", "else", "true", "false", "none", "loop", "self",
            "caller", "varargs", "kwargs"}
SHOWN_COLUMNS = 12


@dataclass(frozen=True)
class ColumnMap:
    """Column positions of the known fields, of the custom variables, and of nameless columns."""

    fields: tuple[tuple[int, str], ...]
    custom: tuple[tuple[int, str], ...]
    nameless: tuple[int, ...]


def identifier(name: str) -> str:
    """A header name as a template-friendly key: "Shoe size" → "shoe_size", "2025 fee" → "col_2025_fee"."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    key = re.sub(r"\W+", "_", plain).strip("_").lower()
    if key[:1].isdigit():
        key = f"col_{key}"
    return f"{key}_" if key in RESERVED else key


def map_columns(table: SourceTable) -> ColumnMap:
    """Map the header of `table`, refusing duplicates, unusable names and a missing handle."""
    seen: dict[str, int] = {}
    fields: list[tuple[int, str]] = []
    custom: list[tuple[int, str]] = []
    nameless: list[int] = []
    for index, raw in enumerate(table.header):
        if not raw.strip():
            nameless.append(index)
            continue
        key = identifier(raw)
        if not key:
            raise UserError(f"{table.name} {table.column_label(index)} ({raw!r}) has no letters or "
                            "digits to name a custom variable; rename it.")
        key = ALIASES.get(key, key)
        if key in seen:
            raise _duplicate(table, key, seen[key], index)
        seen[key] = index
        (fields if key in FIELDS else custom).append((index, key))
    if "handle" not in seen:
        raise _no_handle(table)
    return ColumnMap(tuple(fields), tuple(custom), tuple(nameless))


def _duplicate(table: SourceTable, key: str, first: int, second: int) -> UserError:
    what = key if key in FIELDS else f"the custom variable {key}"
    return UserError(f"{table.name} has two columns for {what}: {table.column_label(first)} "
                     f"({table.header[first]!r}) and {table.column_label(second)} "
                     f"({table.header[second]!r}); keep one.")


def _no_handle(table: SourceTable) -> UserError:
    noun = "field" if table.format == "json" else "column"
    names = [h for h in table.header if h.strip()]
    shown = ", ".join(names[:SHOWN_COLUMNS]) + (", …" if len(names) > SHOWN_COLUMNS else "")
    hint = ""
    if table.format == "csv" and len(names) == 1:
        hint = " (columns are split at commas, semicolons or tabs)"
    found = f"its {noun}s are: {shown}" if names else f"it has no named {noun}s"
    return UserError(f"{table.name} has no handle {noun}; {found}{hint}.")
