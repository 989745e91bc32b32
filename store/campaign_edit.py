"""Changing a casting call after creation: its settings, closing it early and reopening it.

An edit rebuilds the whole `CampaignSpec` from the stored campaign plus the options given and
validates it with `campaigns.validate`, the one validator `campaign create` uses.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields, replace
from typing import Any

from store import audit, campaigns, moderation
from store.campaigns import Campaign, CampaignSpec
from store.database import Database
from store.errors import UserError
from store.outreach_rules.windows import Window

# Columns whose stored text is JSON: the audit shows them decoded.
_JSON_COLUMNS = ("windows", "languages")
SPEC_FIELDS = frozenset(f.name for f in fields(CampaignSpec))


def spec_of(campaign: Campaign) -> CampaignSpec:
    """The spec that would create this campaign as it is now (instants stay UTC, which validate keeps)."""
    return CampaignSpec(
        name=campaign.name, program=campaign.program, description=campaign.description,
        brief=campaign.brief, sender=campaign.sender_email, sender_name=campaign.sender_name,
        budget=campaign.budget, currency=campaign.currency, min_followers=campaign.min_followers,
        min_engagement=campaign.min_engagement, opens=campaign.opens_at, closes=campaign.closes_at,
        timezone=campaign.timezone, windows=[str(w) for w in campaign.windows],
        daily_cap=campaign.daily_cap, moderation=campaign.moderation, segment=campaign.segment,
        languages=list(campaign.languages), requires_agreement=campaign.requires_agreement,
        agreement_days=campaign.agreement_days, invite_limit=campaign.invite_limit)


def _readable(column: str, value: Any) -> Any:
    if column not in _JSON_COLUMNS or not isinstance(value, str):
        return value
    decoded = json.loads(value)
    return [str(Window.from_json(w)) for w in decoded] if column == "windows" else decoded


@dataclass(frozen=True)
class Edit:
    """What an edit changed: the campaign after it and {column: (before, after)} of the changed ones."""

    campaign: Campaign
    changes: dict[str, tuple[Any, Any]]

    def changed(self, *columns: str) -> bool:
        return any(column in self.changes for column in columns)


def edit(db: Database, campaign: Campaign, given: dict[str, Any], *, actor: str, now: str) -> Edit:
    """Apply the options `given` (spec field -> value) to `campaign`; call inside a write transaction."""
    unknown = set(given) - SPEC_FIELDS
    if unknown:
        raise UserError(f"A campaign has no setting {sorted(unknown)[0]!r}.")
    before = campaigns.validate(spec_of(campaign))
    after = campaigns.validate(replace(spec_of(campaign), **given))
    changes = {column: (before[column], value) for column, value in after.items()
               if value != before[column]}
    if not changes:
        return Edit(campaign, {})
    if "name" in changes and db.execute("SELECT 1 FROM campaigns WHERE name = ? AND id != ?",
                                        (after["name"], campaign.id)).fetchone():
        raise UserError(f"A campaign named {after['name']!r} already exists.")
    assignments = ", ".join(f"{column} = ?" for column in changes)
    db.conn.execute(f"UPDATE campaigns SET {assignments}, updated_at = ? WHERE id = ?",
                    [*(new for _old, new in changes.values()), now, campaign.id])
    audit.record(db, at=now, actor=actor, action="campaign.edit", entity="campaign",
                 entity_id=campaign.id, campaign_id=campaign.id, name=after["name"],
                 changes={column: {"from": _readable(column, old), "to": _readable(column, new)}
                          for column, (old, new) in changes.items()})
    return Edit(campaigns.get_by_id(db, campaign.id), changes)


def close(db: Database, campaign_id: int, *, now: str, actor: str, closes_at: str | None) -> None:
    """Close a campaign: it takes no more candidates and plans nothing (the daemon's close at the
    closing time and a manager's early close are this one change)."""
    db.conn.execute("UPDATE campaigns SET status = 'closed', updated_at = ? WHERE id = ?", (now, campaign_id))
    audit.record(db, at=now, actor=actor, action="campaign.close", entity="campaign",
                 entity_id=campaign_id, campaign_id=campaign_id, closes_at=closes_at)


def reopen(db: Database, campaign: Campaign, closes: str, *, now: str, actor: str) -> Campaign:
    """Open a closed campaign again until `closes` (a date or date-time in its zone, in the future)."""
    if campaign.collaborated_at:
        raise UserError(f"{campaign.name} started its collaboration on {campaign.collaborated_at}; "
                        f"it cannot be reopened.")
    if campaign.status != "closed":
        raise UserError(f"{campaign.name} is {campaigns.state_text(campaign)}, not closed; change its "
                        f"closing time with `callsheet campaign edit {campaign.name} --closes`.")
    closes_at = campaigns.validate(replace(spec_of(campaign), closes=closes))["closes_at"]
    if closes_at <= now:
        raise UserError(f"--closes {closes!r} is not in the future; a reopened campaign needs a new "
                        f"closing time.")
    db.conn.execute("UPDATE campaigns SET status = 'open', paused_reason = NULL, closes_at = ?, "
                    "updated_at = ? WHERE id = ?", (closes_at, now, campaign.id))
    audit.record(db, at=now, actor=actor, action="campaign.reopen", entity="campaign",
                 entity_id=campaign.id, campaign_id=campaign.id,
                 closes_at={"from": campaign.closes_at, "to": closes_at})
    return campaigns.get_by_id(db, campaign.id)


def unsent_invitations(db: Database, campaign_id: int) -> list[dict]:
    """The campaign's invitations that are timed and not yet sent (queued, or planned and flagged),
    in send order."""
    return list(db.query(
        """SELECT id, scheduled_at, status FROM messages
           WHERE campaign_id = ? AND kind = 'invitation' AND direction = 'out'
             AND status IN ('planned', 'queued') AND scheduled_at IS NOT NULL
           ORDER BY scheduled_at, id""", [campaign_id]))


def changeable_invitation_ids(db: Database, campaign_id: int) -> list[int]:
    """Ids of the campaign's invitations a moderator could still change (planned, queued, skipped)."""
    return [row[0] for row in db.execute(
        """SELECT id FROM messages WHERE campaign_id = ? AND kind = 'invitation' AND direction = 'out'
           AND status IN ('planned', 'queued', 'skipped') ORDER BY id""", [campaign_id])]


def recheck_limit(db: Database, campaign: Campaign, *, now: str) -> tuple[int, int]:
    """Flag the unsent invitations longer than the campaign's invite limit and unflag the ones that
    fit it now (they queue again unless something else holds them); returns (flagged, unflagged).
    The length is the one the Moderation queue shows, so the flag and the count agree."""
    flagged = unflagged = 0
    for message_id in changeable_invitation_ids(db, campaign.id):
        row = moderation.message(db, message_id)
        if "missing_data" in row.flags:
            continue  # nothing to measure until the data is fixed
        over = row.length > campaign.invite_limit
        if over == ("over_limit" in row.flags):
            continue
        flags = {*row.flags, "over_limit"} if over else set(row.flags) - {"over_limit"}
        if moderation.update(db, row, now=now, flags=flags):
            flagged, unflagged = (flagged + 1, unflagged) if over else (flagged, unflagged + 1)
    return flagged, unflagged
