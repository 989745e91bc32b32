"""What every action shares: the transaction with its role check, and the result it returns."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

from store import audit
from store.database import Database
from store.db import Store
from store.errors import Forbidden


@dataclass(frozen=True, kw_only=True)
class Outcome:
    """What an action did, in the one sentence a front end shows; each area adds its own fields."""

    sentence: str
    warning: bool = False  # part of what was asked was refused: show it as a warning


ResultT = TypeVar("ResultT", bound=Outcome)


@contextmanager
def acting(store: Store, permission: str) -> Iterator[Database]:
    """One write transaction for one action, refused before anything changes without `permission`;
    the refusal itself is kept in the audit trail (and is all that transaction writes)."""
    refused: Forbidden | None = None
    with store.write() as db:
        try:
            store.require(permission)
        except Forbidden as error:
            refused = error
            _record_refusal(db, store, permission, error)
        else:
            yield db
    if refused is not None:
        raise refused


def permit(store: Store, permission: str) -> None:
    """Refuse an action that reads first or writes in steps of its own, before it starts, the
    refusal kept in the audit trail. Call outside any transaction."""
    try:
        store.require(permission)
    except Forbidden as error:
        with store.write() as db:
            _record_refusal(db, store, permission, error)
        raise


def _record_refusal(db: Database, store: Store, permission: str, error: Forbidden) -> None:
    audit.record(db, at=store.now_iso(), actor=store.actor, action="refused", entity="permission",
                 permission=permission, reason=error.sentence)


def woke(store: Store, outcome: ResultT, queued: int) -> ResultT:
    """Wake the dispatcher when the committed action queued mail that is due; returns `outcome`."""
    if queued:
        store.mail_queued()
    return outcome
