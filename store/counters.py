"""The pipeline dashboard's counters, from tallies kept by triggers and two index lookups."""

from __future__ import annotations

from store import stages
from store.campaigns import Campaign
from store.database import Database

# Ineligible applicants are kept but hidden by default, so they are not "candidates". The counts
# come from the per-(stage, source) tallies the triggers keep (store/pipeline_upkeep.py), the budget
# from the in-campaign slice of a covering index, the latest change from the end of another.
_TALLY = "coalesce(sum(t.applications) FILTER (WHERE {}), 0)"
COUNTERS_SQL = f"""
SELECT {_TALLY.format(f"t.stage != '{stages.INELIGIBLE}'")} AS all_candidates,
       {_TALLY.format(f"t.stage = '{stages.TO_REVIEW}'")} AS new_applicants,
       {_TALLY.format(f"t.stage = '{stages.IN_CAMPAIGN}'")} AS in_campaign,
       {_TALLY.format(f"t.stage = '{stages.REJECTED}'")} AS rejected,
       {_TALLY.format("t.source = 'invited'")} AS invited,
       {_TALLY.format("t.source = 'applied'")} AS applicants,
       (SELECT coalesce(sum(a.fee), 0) FROM applications a INDEXED BY applications_counters
          WHERE a.campaign_id = ?1 AND a.stage = '{stages.IN_CAMPAIGN}') AS budget_used,
       (SELECT max(a.updated_at) FROM applications a WHERE a.campaign_id = ?1) AS last_update
FROM application_tallies t WHERE t.campaign_id = ?1
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
        "SELECT stage, sum(applications) FROM application_tallies WHERE campaign_id = ? GROUP BY stage",
        (campaign_id,)).fetchall():
        counts[stage] = count
    return counts
