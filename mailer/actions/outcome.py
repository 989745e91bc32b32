"""What every action shares: the transaction with its role check, and the result it returns."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

from sqlite_utils import Database

from store.db import Store


@dataclass(frozen=True, kw_only=True)
class Outcome:
    """What an action did, in the one sentence a front end shows; each area adds its own fields."""

    sentence: str
    warning: bool = False  # part of what was asked was refused: show it as a warning


ResultT = TypeVar("ResultT", bound=Outcome)


@contextmanager
def acting(store: Store, permission: str) -> Iterator[Database]:
    """One write transaction for one action, refused before anything changes without `permission`."""
    with store.write() as db:
        store.require(permission)
        yield db


def woke(store: Store, outcome: ResultT, queued: int) -> ResultT:
    """Wake the dispatcher when the committed action queued mail that is due; returns `outcome`."""
    if queued:
        store.mail_queued()
    return outcome
