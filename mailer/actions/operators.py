"""What a manager does to the operators: give a login a role, or take it off the operators."""

from __future__ import annotations

from dataclasses import dataclass

from mailer.actions.outcome import Outcome, acting
from store import audit, operators
from store.db import Store


@dataclass(frozen=True, kw_only=True)
class OperatorAdded(Outcome):
    login: str
    role: str


@dataclass(frozen=True, kw_only=True)
class OperatorRemoved(Outcome):
    login: str


def add_operator(store: Store, login: str, role: str, *, from_address: str | None = None,
                 name: str = "") -> OperatorAdded:
    """Add `login` with `role`, or change an operator's role (the last manager stays one)."""
    with acting(store, "manage_operators") as db:
        operators.add(db, login, role, from_address, name, store.now_iso())
        audit.record(db, at=store.now_iso(), actor=store.actor, action="operator.add",
                     entity="operator", login=login, role=role)
    return OperatorAdded(sentence=f"{login} is now a {role}.", login=login, role=role)


def remove_operator(store: Store, login: str) -> OperatorRemoved:
    """Take `login` off the operators: from then on it reads as a viewer."""
    with acting(store, "manage_operators") as db:
        operators.remove(db, login)
        audit.record(db, at=store.now_iso(), actor=store.actor, action="operator.remove",
                     entity="operator", login=login)
    return OperatorRemoved(sentence=f"{login} is no longer an operator (a viewer from now on).",
                           login=login)
