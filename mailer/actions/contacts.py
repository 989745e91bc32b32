"""One contact by hand: add, edit, tag, untag and read an influencer's whole card.

The CLI's `influencer` commands and the Inbox's contact editor call these; each change
is checked by the importer's rules, role-checked (`edit_influencer`) and audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mailer.actions.outcome import Outcome, acting
from store import contact, contact_edit, influencers
from store.contact import InfluencerCard
from store.contact_edit import ContactChange
from store.db import Store
from store.wording import plural

EDIT = "edit_influencer"
FIELD_WORDS = {"engagement_rate": "engagement", "first_name": "first name", "custom": "variables"}


@dataclass(frozen=True, kw_only=True)
class ContactSaved(Outcome):
    """The card as stored now, and each changed field's before and after."""

    card: InfluencerCard
    changes: dict[str, dict[str, Any]]


@dataclass(frozen=True, kw_only=True)
class Retagged(Outcome):
    """Per influencer named: their handle and whether their tags changed."""

    done: tuple[tuple[str, bool], ...]


def _fields(changes: dict[str, dict[str, Any]]) -> str:
    return ", ".join(FIELD_WORDS.get(column, column) for column in changes)


def add(store: Store, handle: str, change: ContactChange) -> ContactSaved:
    """Create one influencer from typed values (the importer's rules)."""
    with acting(store, EDIT) as db:
        done = contact_edit.add(db, handle, change, actor=store.actor, now=store.now_iso())
        card = contact.card(db, done.influencer["id"])
    filled = f" with {_fields(done.changes)}" if set(done.changes) - {"name", "first_name"} else ""
    return ContactSaved(sentence=f"Added @{card.handle}{filled}.", card=card, changes=done.changes)


def edit(store: Store, handle: str, change: ContactChange) -> ContactSaved:
    """Change the given fields of one influencer, erase the cleared ones, keep the rest."""
    with acting(store, EDIT) as db:
        done = contact_edit.edit(db, handle, change, actor=store.actor, now=store.now_iso())
        card = contact.card(db, done.influencer["id"])
    if not done.changes:
        return ContactSaved(sentence=f"Nothing changed: @{card.handle} already reads that way.", card=card,
                            changes={})
    return ContactSaved(sentence=f"Changed @{card.handle}: {_fields(done.changes)}.", card=card,
                        changes=done.changes)


def retag(store: Store, handles: list[str], tags: list[str], *, adding: bool) -> Retagged:
    """Add (or remove) tags on every named influencer, all or nothing."""
    with acting(store, EDIT) as db:
        done = contact_edit.retag(db, handles, tags, adding=adding, actor=store.actor, now=store.now_iso())
    changed = sum(1 for _handle, did in done if did)
    verb = "Tagged" if adding else "Untagged"
    words = ", ".join(f"#{tag.strip().lstrip('#').lower()}" for tag in tags)
    same = len(done) - changed
    rest = f"; {plural(same, 'influencer')} already {'had' if adding else 'lacked'} them" if same else ""
    return Retagged(sentence=f"{verb} {plural(changed, 'influencer')} {words}{rest}.", done=tuple(done))


def card(store: Store, handle: str) -> InfluencerCard:
    """The whole contact card of one influencer (a read: everyone may)."""
    db = store.reader()
    return contact.card(db, influencers.get_by_handle(db, handle)["id"])
