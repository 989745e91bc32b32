"""An application typed on the public casting-call page: the contact it names, then `apply`.

The visitor's values go through the importer's own rules (store/contact_edit.py), and
the application is the very one `callsheet apply` records (store/applications.py
`apply`). A handle we already know with another email keeps its stored contact: the
application is recorded all the same, with a flag for the operator. Call inside one
write transaction, so a refusal changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from store import applications, audit, contact_edit, influencers, notes
from store.campaigns import Campaign
from store.clock import iso
from store.contact_edit import ContactChange
from store.database import Database
from store.errors import UserError
from store.ingest import fields as rules
from store.moves import Compose, Move, no_email

MAX_MESSAGE_CHARS = 4000


@dataclass(frozen=True)
class PageApplication:
    """What the visitor typed: the import's column names for the contact, and their application."""

    handle: str
    values: dict[str, str]
    fee: float | None = None
    message: str = ""


@dataclass(frozen=True)
class PageApplied:
    """The recorded move, and the flag left for the operator (None when nothing differs)."""

    move: Move
    flag: str | None


def actor_for(handle: str) -> str:
    """How the audit trail names a visitor: the influencer, by the handle they typed."""
    return f"influencer:@{handle}"


def checked_handle(text: str) -> str:
    """The handle as the importer takes it (a leading @ allowed), or one sentence."""
    raw = text.strip().lstrip("@")
    if not raw:
        raise UserError("Give your handle.")
    try:
        return rules.handle(raw)
    except rules.Invalid as error:
        raise UserError(str(error)[0].upper() + str(error)[1:] + ".") from None


def _checked_email(values: dict[str, str]) -> str:
    text = values.get("email", "").strip()
    if not text:
        raise UserError("Give your email address.")
    try:
        return rules.email(text)
    except rules.Invalid as error:
        raise UserError(str(error)[0].upper() + str(error)[1:] + ".") from None


def apply(db: Database, campaign: Campaign, form: PageApplication, *, now: datetime, actor: str,
          compose: Compose = no_email) -> PageApplied:
    """Create or fill the contact as an import would, then record the application as `apply` does."""
    reason = applications.closed_reason(campaign, now)
    if reason:
        raise UserError(reason + ".")
    handle = checked_handle(form.handle)
    email = _checked_email(form.values)
    if len(form.message) > MAX_MESSAGE_CHARS:
        raise UserError(f"The message is limited to {MAX_MESSAGE_CHARS} characters.")
    stamp = iso(now)
    values = {key: value for key, value in form.values.items() if key != "email" and str(value).strip()}
    known = influencers.find_by_handle(db, handle)
    flag = None
    if known is None:
        contact_edit.add(db, handle, ContactChange(values={**values, "email": email}), actor=actor, now=stamp)
    elif known.get("email") and known["email"].lower() != email.lower():
        contact_edit.parse(ContactChange(values=values))  # still refuse bad input
        flag = f"email differs: {email}"
    else:
        contact_edit.edit(db, known["handle"], ContactChange(values={**values, "email": email}),
                          actor=actor, now=stamp)
    person = influencers.get_by_handle(db, handle)
    move = applications.apply(db, campaign, person, now=now, actor=actor, compose=compose, fee=form.fee)
    if flag:
        db.conn.execute("UPDATE applications SET flag = ? WHERE id = ?", [flag, move.application_id])
        audit.record(db, at=stamp, actor=actor, action="application.flag", entity="application",
                     entity_id=move.application_id, campaign_id=campaign.id, handle=person["handle"],
                     flag=flag)
    if form.message.strip():
        notes.add(db, person["id"], f"[{campaign.name}] {form.message.strip()}", author=actor, now=stamp)
    return PageApplied(move, flag)
