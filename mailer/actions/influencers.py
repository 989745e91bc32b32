"""What a person does to influencers: import a file, unsubscribe or resubscribe, keep segments, export."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from mailer.actions.outcome import Outcome, acting
from store import campaigns, exports, segments, unsubscribes
from store.casting import actor_for
from store.db import Store
from store.ingest import limits
from store.ingest.importer import ImportReport, import_influencers
from store.ingest.source import Progress
from store.operators import WEB_LOGIN
from store.query import search
from store.wording import plural

UNSUBSCRIBE_BY_LINK = "unsubscribe_by_link"


@dataclass(frozen=True, kw_only=True)
class Imported(Outcome):
    report: ImportReport


@dataclass(frozen=True, kw_only=True)
class ImportLimitSet(Outcome):
    limit: int
    previous: int


@dataclass(frozen=True, kw_only=True)
class Unsubscribed(Outcome):
    """One line per influencer named; `changed` is False for those who already were."""

    handles: tuple[str, ...]
    changed: tuple[bool, ...]


@dataclass(frozen=True, kw_only=True)
class Resubscribed(Outcome):
    handle: str


@dataclass(frozen=True, kw_only=True)
class SegmentSaved(Outcome):
    name: str
    query: str
    matches: int


@dataclass(frozen=True, kw_only=True)
class SegmentDeleted(Outcome):
    name: str


@dataclass(frozen=True, kw_only=True)
class AddressesExported(Outcome):
    campaign: str
    rows: int
    without_address: int


def import_file(store: Store, path: Path | str, *, fmt: str | None = None, sheet: str | None = None,
                skip_invalid: bool = False, progress: Progress | None = None) -> Imported:
    """Create or update influencers from a file; `InvalidRows` (a refusal) carries every bad row."""
    report = import_influencers(store, path, fmt=fmt, sheet=sheet, skip_invalid=skip_invalid,
                                progress=progress)
    return Imported(sentence=report.summary(), report=report)


def set_import_limit(store: Store, limit: int) -> ImportLimitSet:
    """Cap the custom variables one file may add and one influencer may hold (managers)."""
    limits.check_max_variables(limit)  # a wrong number is said before the role
    with acting(store, "change_import_limits") as db:
        previous = limits.set_max_variables(db, limit, now=store.now_iso(), actor=store.actor)
    return ImportLimitSet(sentence=f"Custom variables are now capped at {limit} per file and per "
                                   f"influencer (was {previous}).", limit=limit, previous=previous)


def _unsubscribed(done: Sequence[tuple[dict, bool]]) -> Unsubscribed:
    handles = tuple(person["handle"] for person, _ in done)
    changed = tuple(flag for _, flag in done)
    lines = [f"Unsubscribed {handle}; they will not be emailed again." if flag
             else f"{handle} was already unsubscribed; nothing changed."
             for handle, flag in zip(handles, changed, strict=True)]
    return Unsubscribed(sentence="\n".join(lines), handles=handles, changed=changed)


def unsubscribe(store: Store, handles: Sequence[str]) -> Unsubscribed:
    """Never email these influencers again; one unknown handle changes nothing."""
    with acting(store, "edit_influencer") as db:
        done = unsubscribes.unsubscribe_handles(db, list(handles), now=store.now_iso(), actor=store.actor)
    return _unsubscribed(done)


def unsubscribe_by_token(store: Store, token: str) -> Unsubscribed:
    """Never email again whoever received the message an unsubscribe link's token names.

    From the one-click page (`callsheet-web`, allowed only `unsubscribe_by_link`) the
    audit trail names the influencer who asked; an operator's own request names the operator.
    """
    from_page = store.actor == WEB_LOGIN
    with acting(store, UNSUBSCRIBE_BY_LINK if from_page else "edit_influencer") as db:
        found = unsubscribes.message_by_token(db, token)
        handle = unsubscribes.handle_of(db, found["influencer_id"]) if found else None
        actor = actor_for(handle) if from_page and handle else store.actor
        done = unsubscribes.unsubscribe_token(db, token, now=store.now_iso(), actor=actor)
    return _unsubscribed([done])


def resubscribe(store: Store, handle: str) -> Resubscribed:
    """Lift an influencer's unsubscribe (audited): they may be emailed again."""
    with acting(store, "edit_influencer") as db:
        person = unsubscribes.resubscribe(db, handle, now=store.now_iso(), actor=store.actor)
    return Resubscribed(sentence=f"Resubscribed {person['handle']}; they can be emailed again.",
                        handle=person["handle"])


def matching_now(count: int) -> str:
    """'3 influencers match now': how a segment's reach reads."""
    return f"{plural(count, 'influencer')} {'matches' if count == 1 else 'match'} now"


def save_segment(store: Store, name: str, query: str, *, replace: bool = False) -> SegmentSaved:
    """Save `query` as the segment `name` (or change its query, with `replace`)."""
    with acting(store, "manage_campaign") as db:
        row = segments.save(db, name, query, actor=store.actor, now=store.now_iso(), replace=replace)
    matches = search.count(store.reader(), segments.check_query(row["query"]), store.clock.now())
    return SegmentSaved(sentence=f"Saved segment {row['name']!r}: {row['query']} ({matching_now(matches)}).",
                        name=row["name"], query=row["query"], matches=matches)


def delete_segment(store: Store, name: str) -> SegmentDeleted:
    with acting(store, "manage_campaign") as db:
        row = segments.delete(db, name, actor=store.actor, now=store.now_iso())
    return SegmentDeleted(sentence=f"Deleted segment {row['name']!r}.", name=row["name"])


def export_addresses(store: Store, campaign: str, out: Path,
                     write: Callable[[list[dict]], None]) -> AddressesExported:
    """Release the postal addresses of those in `campaign` to the file `out` (managers, audited).

    `write(rows)` writes the file inside the transaction that audits it: no record without the
    file, and a `UserError` from it records nothing.
    """
    with acting(store, "export_personal_data") as db:
        rows = exports.addresses(db, campaigns.get(db, campaign).id, actor=store.actor,
                                 now=store.now_iso(), destination=str(out.resolve()))
        write(rows)
    missing = sum(1 for row in rows if not row["address"])
    note = f"; {missing} without a postal address" if missing else ""
    return AddressesExported(
        sentence=f"Wrote {plural(len(rows), 'address', 'addresses')} of {campaign!r} to {out}{note}.",
        campaign=campaign, rows=len(rows), without_address=missing)
