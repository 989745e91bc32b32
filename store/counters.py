"""The pipeline dashboard's counters, from one query over a covering index."""

from __future__ import annotations

from sqlite_utils import Database

from store import stages
from store.campaigns import Campaign

# Ineligible applicants are kept but hidden by default, so they are not "candidates".
COUNTERS_SQL = f"""
SELECT count(*) FILTER (WHERE stage != '{stages.INELIGIBLE}') AS all_candidates,
       count(*) FILTER (WHERE stage = '{stages.TO_REVIEW}') AS new_applicants,
       count(*) FILTER (WHERE stage = '{stages.IN_CAMPAIGN}') AS in_campaign,
       count(*) FILTER (WHERE stage = '{stages.REJECTED}') AS rejected,
       count(*) FILTER (WHERE source = 'invited') AS invited,
       count(*) FILTER (WHERE source = 'applied') AS applicants,
       coalesce(sum(fee) FILTER (WHERE stage = '{stages.IN_CAMPAIGN}'), 0) AS budget_used,
       max(updated_at) AS last_update
FROM applications WHERE campaign_id = ?
"""
KEYS = ("all_candidates", "new_applicants", "in_campaign", "rejected", "invited", "applicants",
        "budget_used_pct", "last_update")


def counters(db: Database, campaign: Campaign) -> dict:
    """SPEC §3's counters: the keys of `status --json`, plus `budget_used` and `by_stage` for people."""
    row = dict(next(iter(db.query(COUNTERS_SQL, [campaign.id]))))
    budget = campaign.budget
    used = row.pop("budget_used")
    row["budget_used_pct"] = round(100.0 * used / budget, 1) if budget else None
    row["last_update"] = row["last_update"] or campaign.updated_at
    return {key: row[key] for key in KEYS} | {"budget_used": used}


def by_stage(db: Database, campaign_id: int) -> dict[str, int]:
    """How many applications sit in each stage (every stage present, zero included)."""
    counts = dict.fromkeys(stages.STAGES, 0)
    for stage, count in db.execute(
        "SELECT stage, count(*) FROM applications WHERE campaign_id = ? GROUP BY stage", (campaign_id,)
    ).fetchall():
        counts[stage] = count
    return counts
