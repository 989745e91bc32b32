"""One contact by hand: add an influencer, change or erase some of their fields, tag and untag.

Every value goes through the importer's own column rules (store/ingest/rows.py PARSERS),
so a contact typed by hand obeys exactly what an imported one does, and the write uses
the importer's upsert. Every change is audited with what it was before and after.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from store import audit, influencers
from store.database import Database
from store.errors import UserError
from store.handles import shown
from store.ingest import fields as rules
from store.ingest import limits
from store.ingest.columns import FIELDS as IMPORT_FIELDS
from store.ingest.columns import identifier
from store.ingest.importer import STORED, upsert
from store.ingest.rows import PARSERS, CleanRow
from store.suggest import closest_handle

# What `--clear FIELD` accepts (the option's name, dashes or underscores) → the stored column.
CLEARABLE = {"name": "name", "first_name": "first_name", "email": "email", "platforms": "platforms",
             "platform": "platforms", "followers": "followers", "engagement": "engagement_rate",
             "engagement_rate": "engagement_rate", "country": "country", "language": "language",
             "tags": "tags", "address": "address", "vars": "custom"}
EMPTY_VALUE = {"name": "", "first_name": "", "platforms": "[]", "tags": "[]", "custom": "{}"}


@dataclass(frozen=True)
class ContactChange:
    """What a person typed: field values as text (import column names), variables, fields to erase."""

    values: dict[str, Any] = field(default_factory=dict)
    variables: dict[str, str] = field(default_factory=dict)
    clear: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.values or self.variables or self.clear)


@dataclass(frozen=True)
class ContactEdited:
    """The stored contact after the change, and each changed column's before and after."""

    influencer: dict
    changes: dict[str, dict[str, Any]]


def _parse(change: ContactChange) -> tuple[dict[str, Any], dict[str, str]]:
    """The stored values and variables of `change`, or one sentence with every problem."""
    problems: list[str] = []
    values: dict[str, Any] = {}
    for key, raw in change.values.items():
        column, parse = PARSERS[key]
        text = raw if isinstance(raw, list) or key == "email" else str(raw).strip(" \t")
        if not text:
            continue  # empty means unchanged, as an empty cell in an import
        try:
            parsed = parse(text)
        except rules.Invalid as error:
            problems.append(str(error))
            continue
        if parsed is not None:
            values[column] = parsed
    variables: dict[str, str] = {}
    for name, text in change.variables.items():
        key = identifier(name)
        if not key or key in IMPORT_FIELDS:
            problems.append(f"variable {name!r} needs a name that is not a contact field")
            continue
        try:
            variables[key] = rules.custom(key, text)
        except rules.Invalid as error:
            problems.append(str(error))
    if problems:
        raise UserError("Nothing changed: " + "; ".join(problems) + ".")
    return values, variables


def parse(change: ContactChange) -> None:
    """Refuse `change` in one sentence if any value breaks the importer's rules; store nothing."""
    _parse(change)


def _cleared(change: ContactChange) -> tuple[set[str], set[str]]:
    """The columns and the variables `--clear` names; an unknown field is one sentence."""
    columns: set[str] = set()
    variables: set[str] = set()
    for name in change.clear:
        word = name.strip().lower().replace("-", "_")
        if word.startswith("var.") and word[4:]:
            variables.add(identifier(word[4:]))
        elif word in CLEARABLE:
            columns.add(CLEARABLE[word])
        else:
            raise UserError(f"Cannot clear {name!r}: name one of {', '.join(sorted(set(CLEARABLE)))} "
                            f"or var.NAME.")
    return columns, variables


def _stored(db: Database, influencer_id: int) -> dict[str, Any]:
    row = db.execute(f"SELECT {', '.join(STORED)} FROM influencers WHERE id = ?", [influencer_id]).fetchone()
    return dict(zip(STORED, row, strict=True))


def _differences(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each column that changed, decoded, as {"before": …, "after": …}."""
    def plain(column: str, value: Any) -> Any:
        return json.loads(value) if column in ("platforms", "tags", "custom") and value else value
    return {column: {"before": plain(column, before[column]), "after": plain(column, after[column])}
            for column in STORED if before[column] != after[column]}


def _check_variables(db: Database, handle: str, stored: dict[str, Any]) -> None:
    limit = limits.max_variables(db)
    count = len(json.loads(stored["custom"] or "{}"))
    if count > limit:
        raise UserError(f"Nothing changed: @{handle} would have {count} custom variables, more than the "
                        f"workspace's limit of {limit} (`callsheet import limits`).")


def add(db: Database, handle: str, change: ContactChange, *, actor: str, now: str) -> ContactEdited:
    """Create one influencer from typed values; call inside a write transaction."""
    try:
        typed = rules.handle(handle)
    except rules.Invalid as error:
        raise UserError(f"Nothing changed: {error}.") from None
    if influencers.find_by_handle(db, typed) is not None:
        raise UserError(f"@{typed} is already a contact; change it with `callsheet influencer edit {typed}`.")
    values, variables = _parse(change)
    upsert(db, [CleanRow(0, typed, values, variables)], now)
    person = influencers.get_by_handle(db, typed)
    after = _stored(db, person["id"])
    _check_variables(db, typed, after)
    changes = _differences(dict.fromkeys(STORED), after)
    audit.record(db, at=now, actor=actor, action="influencer.add", entity="influencer",
                 entity_id=person["id"], handle=typed, changes=changes)
    return ContactEdited(person, changes)


def edit(db: Database, handle: str, change: ContactChange, *, actor: str, now: str) -> ContactEdited:
    """Change the given fields, erase the cleared ones, keep the rest; call inside a write transaction."""
    person = influencers.find_by_handle(db, handle)
    if person is None:
        close = closest_handle(db, handle)
        guess = f"did you mean {close!r}, or " if close else ""
        raise UserError(f"There is no influencer with the handle {handle!r}; {guess}add one with "
                        f"`callsheet influencer add {shown(handle)}`.")
    values, variables = _parse(change)
    columns, variable_names = _cleared(change)
    before = _stored(db, person["id"])
    upsert(db, [CleanRow(0, person["handle"], values, variables)], now)
    _erase(db, person["id"], columns, variable_names)
    after = _stored(db, person["id"])
    _check_variables(db, person["handle"], after)
    changes = _differences(before, after)
    if changes:
        db.conn.execute("UPDATE influencers SET updated_at = ? WHERE id = ?", [now, person["id"]])
        audit.record(db, at=now, actor=actor, action="influencer.edit", entity="influencer",
                     entity_id=person["id"], handle=person["handle"], changes=changes)
    return ContactEdited(influencers.get(db, person["id"]), changes)


def _erase(db: Database, influencer_id: int, columns: set[str], variables: set[str]) -> None:
    for column in sorted(columns):
        db.conn.execute(f"UPDATE influencers SET {column} = ? WHERE id = ?",
                        [EMPTY_VALUE.get(column), influencer_id])
    if variables:
        stored = json.loads(_stored(db, influencer_id)["custom"] or "{}")
        kept = {key: value for key, value in stored.items() if key not in variables}
        if kept != stored:
            db.conn.execute("UPDATE influencers SET custom = ? WHERE id = ?",
                            [json.dumps(kept, ensure_ascii=False), influencer_id])


def retag(db: Database, handles: list[str], tags: list[str], *, adding: bool, actor: str,
          now: str) -> list[tuple[str, bool]]:
    """Add or remove tags on every named influencer, all or nothing: (handle, changed) per influencer."""
    try:
        words = rules.word_list("tags", tags, strip_hash=True) or []
    except rules.Invalid as error:
        raise UserError(f"Nothing changed: {error}.") from None
    if not words:
        raise UserError("Name at least one tag.")
    people = influencers.by_handles(db, handles)
    done: list[tuple[str, bool]] = []
    for person in people:
        current: list[str] = person["tags"]
        updated = ([*current, *(w for w in words if w not in current)] if adding
                   else [t for t in current if t not in words])
        changed = updated != current
        if changed:
            db.conn.execute("UPDATE influencers SET tags = ?, updated_at = ? WHERE id = ?",
                            [json.dumps(updated, ensure_ascii=False), now, person["id"]])
            audit.record(db, at=now, actor=actor, action="influencer.tag" if adding else "influencer.untag",
                         entity="influencer", entity_id=person["id"], handle=person["handle"],
                         tags=words, before=current, after=updated)
        done.append((person["handle"], changed))
    return done
