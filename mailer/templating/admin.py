"""A campaign's templates as a table, and checked against real recipients (changes are actions)."""

from __future__ import annotations

from dataclasses import dataclass

from mailer.templating.rendering import default_template, invitation_length, render
from mailer.templating.trigger_mail import Composer
from store import campaigns, influencers, stages, templates, triggers
from store.campaigns import Campaign
from store.database import Database
from store.db import Store
from store.errors import UserError

OUTREACH_KINDS = ("invitation", "welcome", "followup-1", "followup-2")


def template_table(db: Database, campaign: Campaign) -> list[dict]:
    """Every kind in every campaign language: stored, built-in default, or missing."""
    stored = {(row["kind"], row["language"]): row for row in templates.listing(db, campaign.id)}
    followups = sorted({k for k, _ in stored if k.startswith("followup-")} | {"followup-1", "followup-2"},
                       key=lambda k: int(k.split("-")[1]))
    kinds = ["invitation", "welcome", *followups, *templates.BASE_KINDS[2:]]
    rows = []
    for kind in kinds:
        extra_languages = sorted({lang for k, lang in stored if k == kind} - set(campaign.languages))
        for language in [*campaign.languages, *extra_languages]:
            row = stored.get((kind, language))
            default = None if row else default_template(kind, language)
            rows.append({
                "kind": kind, "language": language,
                "source": "custom" if row else ("default" if default else "missing"),
                "subject": row["subject"] if row else (default[0] if default else ""),
                "updated_by": row["updated_by"] if row else None,
                "updated_at": row["updated_at"] if row else None,
            })
    return rows


@dataclass(frozen=True)
class Problem:
    """One email that would not go out as it is."""

    handle: str
    kind: str
    language: str
    problem: str


def _kinds_for(db: Database, campaign: Campaign, stage: str) -> list[tuple[str, str]]:
    """(event, template kind) of every email an application at `stage` could still receive."""
    effective = triggers.effective(db, campaign.id)
    events = [s for s in stages.reachable(stage, campaign) if s not in stages.PRIVATE]
    if stage == stages.INVITED:
        events = [stages.INVITED, *events]
    if not campaign.collaborated_at:
        reach = stages.reachable(stage, campaign) | {stage}
        if reach & {stages.SIGNED, stages.IN_CAMPAIGN}:
            events.append(triggers.COLLABORATION_IN)
        if reach & stages.UNDECIDED:
            events.append(triggers.COLLABORATION_OUT)
    kinds = [(e, effective[e]["template_kind"]) for e in events
             if e in effective and effective[e]["enabled"] and effective[e]["template_kind"]]
    if stage == stages.INVITED:
        kinds += [("outreach", k) for k in OUTREACH_KINDS[1:]]
    return list(dict.fromkeys(kinds))


def check_campaign(store: Store, campaign_name: str) -> tuple[int, list[Problem]]:
    """Render every template for every influencer it could go to; (emails checked, problems)."""
    db = store.reader()
    campaign = campaigns.get(db, campaign_name)
    composer = Composer(db, campaign, store.actor)
    checked, problems = 0, []
    rows = list(db.query("SELECT influencer_id, stage, fee, agreement_deadline FROM applications "
                         "WHERE campaign_id = ? ORDER BY id", [campaign.id]))
    for application in rows:
        person = influencers.get(db, application["influencer_id"])
        for _event, kind in _kinds_for(db, campaign, application["stage"]):
            checked += 1
            problem = _check_one(db, campaign, composer, person, dict(application), kind)
            if problem:
                problems.append(Problem(person["handle"], kind, person.get("language") or "", problem))
    return checked, problems


def _check_one(db: Database, campaign: Campaign, composer: Composer, person: dict, application: dict,
               kind: str) -> str | None:
    if not person.get("email"):
        return "no email address"
    try:
        extra = composer.extra_for(application, composer.sender())
        rendered = render(db, campaign, kind, person, extra=extra)
    except UserError as error:
        return error.sentence
    limit = campaign.invite_limit
    if kind == "invitation" and invitation_length(rendered) > limit:
        return f"the invitation is {invitation_length(rendered)} characters, over the limit of {limit}"
    return None
