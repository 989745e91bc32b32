"""A campaign's templates and triggers as a person changes them: save a template, attach or stop a trigger.

Reading them (the table, a check against every recipient) stays in `mailer.templating.admin`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mailer import outgoing_files
from mailer.actions.outcome import Outcome, acting, permit
from mailer.outgoing_files import OutgoingFile
from mailer.templating.rendering import check_template
from mailer.templating.tracking import targets_in
from store import attachments, campaigns, clicks, templates, triggers
from store.db import Store
from store.wording import plural


@dataclass(frozen=True, kw_only=True)
class TemplateSaved(Outcome):
    """A template checked against a sample recipient and stored."""

    campaign: str
    kind: str
    language: str


def save_template(store: Store, campaign_name: str, kind: str, language: str, subject: str, body: str,
                  body_html: str | None = None, files: Sequence[OutgoingFile] | None = None) -> TemplateSaved:
    """Check a template against a sample recipient, then store it; nothing is saved if it fails.

    `files` (None: keep the ones it has) are added to every message queued from it."""
    kind, language = templates.parse_kind(kind), templates.parse_language(language)
    if files:
        permit(store, "edit_template")  # refused before the files reach the disk
    outgoing_files.ready(store, files or ())
    with acting(store, "edit_template") as db:
        campaign = campaigns.get(db, campaign_name)
        check_template(kind, language, subject, body, body_html=body_html,
                       custom_names=templates.custom_variable_names(db))
        templates.save(db, campaign_id=campaign.id, kind=kind, language=language, subject=subject,
                       body=body, body_html=body_html, actor=store.actor, now=store.now_iso())
        for url in targets_in(body, body_html):  # the only addresses a tracked link may lead to
            clicks.register(db, url, store.now_iso())
        if files is not None:
            template = templates.find(db, campaign.id, kind, language)
            assert template is not None  # saved just above
            kept = outgoing_files.keep(db, files, now=store.now_iso())
            attachments.set_template_files(db, template["id"], kept)
    attached = f", with {plural(len(files), 'attachment')}" if files else ""
    return TemplateSaved(sentence=f"Saved the {kind} template ({language}) of {campaign.name!r}{attached}.",
                         campaign=campaign.name, kind=kind, language=language)


@dataclass(frozen=True, kw_only=True)
class TriggerSet(Outcome):
    """What an event now sends: `template_kind`, or nothing when the trigger is off."""

    event: str
    template_kind: str | None
    enabled: bool


def _trigger(store: Store, campaign_name: str, event: str, template_kind: str | None,
             enabled: bool) -> dict:
    event = triggers.parse_event(event)
    kind = templates.parse_kind(template_kind) if template_kind else None
    with acting(store, "edit_template") as db:
        campaign = campaigns.get(db, campaign_name)
        triggers.set_trigger(db, campaign_id=campaign.id, event=event, template_kind=kind,
                             enabled=enabled, actor=store.actor, now=store.now_iso())
        return triggers.effective(db, campaign.id)[event]


def set_trigger(store: Store, campaign_name: str, event: str, template_kind: str) -> TriggerSet:
    """Send `template_kind` when `event` happens (submitted, a stage, collaboration-in/out)."""
    row = _trigger(store, campaign_name, event, template_kind, True)
    sentence = (f"On {triggers.event_name(row['event'])}, {campaign_name!r} now sends the "
                f"{row['template_kind']} template.")
    return TriggerSet(sentence=sentence, event=row["event"], template_kind=row["template_kind"], enabled=True)


def switch_off_trigger(store: Store, campaign_name: str, event: str) -> TriggerSet:
    """Send nothing when `event` happens."""
    row = _trigger(store, campaign_name, event, None, False)
    sentence = f"On {triggers.event_name(row['event'])}, {campaign_name!r} now sends no email."
    return TriggerSet(sentence=sentence, event=row["event"], template_kind=None, enabled=False)
