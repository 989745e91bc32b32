"""Applications through the pipeline: invite, apply, decide, collaborate, expire, close.

Each function runs inside the caller's `store.write()` transaction. It checks
every application first (all problems in one sentence), asks `compose` for every
email (rendering may fail: nothing is written yet), then writes stage changes,
outbox rows and audit events together.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from store import audit, campaign_edit, influencers, stages
from store.campaigns import Campaign
from store.clock import from_iso, iso
from store.database import Database
from store.errors import UserError
from store.moves import Compose, Email, Move, no_email, record, send, set_stage
from store.rowids import inserted_id
from store.triggers import COLLABORATION_IN, COLLABORATION_OUT, SUBMITTED
from store.undo import undo

__all__ = ["DecisionPlan", "answered_invitations", "apply", "close_due_campaigns", "collaborate", "decide",
           "decline_invitation", "expire_agreements", "invite", "plan_decision", "refusal", "sort_decision",
           "undo"]


def refusal(problems: list[str]) -> str:
    """One sentence for one problem; a count and one problem per line for several."""
    if len(problems) == 1:
        return problems[0][0].upper() + problems[0][1:] + "."
    return f"Nothing changed, {len(problems)} problems:" + "".join(f"\n  {p}" for p in problems)


def _refuse_all(problems: list[str]) -> None:
    if problems:
        raise UserError(refusal(problems))


def by_influencer(db: Database, campaign_id: int, influencer_ids: list[int]) -> dict[int, dict]:
    """The campaign's applications of these influencers, keyed by influencer id."""
    found: dict[int, dict] = {}
    for start in range(0, len(influencer_ids), 500):
        chunk = influencer_ids[start:start + 500]
        marks = ",".join("?" for _ in chunk)
        sql = f"SELECT * FROM applications WHERE campaign_id = ? AND influencer_id IN ({marks})"
        for row in db.query(sql, [campaign_id, *chunk]):
            found[row["influencer_id"]] = row
    return found


def closed_reason(campaign: Campaign, now: datetime) -> str | None:
    """Why nobody may join the campaign now, or None while it is open."""
    if campaign.collaborated_at:
        return (f"Campaign {campaign.name!r} started its collaboration on {campaign.collaborated_at}; "
                f"its group is fixed and it takes no more candidates")
    closes = campaign.closes_at
    if campaign.status == "closed" or (closes and from_iso(closes) <= now):
        when = f" on {closes}" if closes else ""
        return f"Campaign {campaign.name!r} closed{when}; it takes no more candidates"
    opens = campaign.opens_at
    if opens and from_iso(opens) > now:
        return f"Campaign {campaign.name!r} opens on {opens}; it takes no candidates before then"
    return None


def _commit(db: Database, planned: list[tuple[Move, Email | None, dict]], campaign: Campaign, *,
            now: datetime, actor: str, scheduled_at: str | None = None) -> list[Move]:
    """Write the planned moves (stage, email, audit), in order."""
    stamp = iso(now)
    for move, email, columns in planned:
        if move.from_stage is None:
            cursor = db.conn.execute(
                """INSERT INTO applications (influencer_id, campaign_id, source, stage, fee, created_at,
                       updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)""",
                (move.influencer_id, campaign.id, columns["source"], move.to_stage,
                 columns.get("fee"), stamp, stamp))
            move.application_id = inserted_id(cursor)
        else:
            set_stage(db, move, now=stamp, columns=columns)
        send(db, move, email, campaign_id=campaign.id, now=stamp, author=actor, scheduled_at=scheduled_at)
        record(db, move, campaign_id=campaign.id, now=stamp, actor=actor)
    return [move for move, _email, _columns in planned]


def invite(db: Database, campaign: Campaign, people: list[dict], *, now: datetime, actor: str,
           compose: Compose = no_email) -> list[Move]:
    """Add influencers to the pipeline as invited, whatever their numbers."""
    reason = closed_reason(campaign, now)
    if reason:
        raise UserError(reason + ".")
    existing = by_influencer(db, campaign.id, [p["id"] for p in people])
    _refuse_all([f"@{p['handle']} is already in the pipeline (stage "
                 f"'{stages.label(existing[p['id']]['stage'])}')" for p in people if p["id"] in existing])
    planned = []
    for person in people:
        move = Move(0, person["id"], person["handle"], None, stages.INVITED, "invite")
        email = compose(stages.INVITED, person, {"stage": stages.INVITED, "source": "invited"})
        planned.append((move, email, {"source": "invited"}))
    return _commit(db, planned, campaign, now=now, actor=actor)


def apply(db: Database, campaign: Campaign, person: dict, *, now: datetime, actor: str,
          compose: Compose = no_email, fee: float | None = None) -> Move:
    """A candidate says yes: a self-application (checked against the minimums) or an invitee's answer."""
    if fee is not None and fee < 0:
        raise UserError(f"A fee cannot be negative (got {fee}).")
    reason = closed_reason(campaign, now)
    if reason:
        raise UserError(reason + ".")
    application = by_influencer(db, campaign.id, [person["id"]]).get(person["id"])
    if application is not None:
        if application["stage"] != stages.INVITED:
            raise UserError(f"@{person['handle']} has already applied to {campaign.name!r} (stage "
                            f"'{stages.label(application['stage'])}').")
        target = stages.next_stage(application["stage"], "answer", campaign, now)
        move = Move(application["id"], person["id"], person["handle"], application["stage"], target,
                    "answer")
        columns = {"fee": fee} if fee is not None else {}
        email = compose(target, person, {**application, "stage": target, "fee": fee or application["fee"]})
        return _commit(db, [(move, email, columns)], campaign, now=now, actor=actor)[0]
    target = stages.TO_REVIEW if stages.eligible(person, campaign) else stages.INELIGIBLE
    move = Move(0, person["id"], person["handle"], None, target, "apply")
    email = (compose(SUBMITTED, person, {"stage": target, "source": "applied", "fee": fee})
             if target == stages.TO_REVIEW else None)
    if target == stages.INELIGIBLE:
        move.note = "below the campaign's minimums"
    return _commit(db, [(move, email, {"source": "applied", "fee": fee})], campaign, now=now,
                   actor=actor)[0]


def decline_invitation(db: Database, campaign: Campaign, person: dict, *, now: datetime,
                       actor: str) -> Move:
    """An invitee says no: invited -> declined, recorded as theirs; nobody is emailed."""
    reason = closed_reason(campaign, now)
    if reason:
        raise UserError(reason + ".")
    application = by_influencer(db, campaign.id, [person["id"]]).get(person["id"])
    if application is None:
        raise UserError(f"@{person['handle']} is not in the pipeline of {campaign.name!r}.")
    target = stages.next_stage(application["stage"], "answer-no", campaign, now)
    move = Move(application["id"], person["id"], person["handle"], application["stage"], target,
                "answer-no")
    return _commit(db, [(move, None, {})], campaign, now=now, actor=actor)[0]


@dataclass(frozen=True)
class DecisionPlan:
    """What a decision would do: (influencer, application, next stage) per person it may move, and
    one clause per person it may not, so a front end can say so before asking anyone to confirm."""

    moves: list[tuple[dict, dict, str]]
    problems: list[str]


def sort_decision(db: Database, campaign: Campaign, people: list[dict], decision: str,
                  now: datetime) -> DecisionPlan:
    """Check `decision` for each person by the stage rules, changing nothing."""
    decision = stages.parse_decision(decision)
    applications = by_influencer(db, campaign.id, [p["id"] for p in people])
    planned, problems = [], []
    for person in people:
        application = applications.get(person["id"])
        if application is None:
            problems.append(f"@{person['handle']} is not in the pipeline of {campaign.name!r}")
            continue
        stage = stages.effective_stage(application["stage"], application["agreement_deadline"], now)
        try:
            target = stages.next_stage(stage, decision, campaign, now)
        except stages.IllegalMove as illegal:
            problems.append(illegal.clause(person["handle"]))
            continue
        planned.append((person, application, target))
    return DecisionPlan(planned, problems)


def plan_decision(db: Database, campaign: Campaign, people: list[dict], decision: str,
                  now: datetime) -> list[tuple[dict, dict, str]]:
    """(influencer, application, next stage) for each person, or one sentence listing every problem."""
    plan = sort_decision(db, campaign, people, decision, now)
    _refuse_all(plan.problems)
    return plan.moves


def decide(db: Database, campaign: Campaign, people: list[dict], decision: str, *, now: datetime,
           actor: str, compose: Compose = no_email, grace_seconds: int = 0) -> list[Move]:
    """Move every named application by `decision`, with its email; all or nothing."""
    decision = stages.parse_decision(decision)
    undo_until = (iso(now + timedelta(seconds=grace_seconds))
                  if grace_seconds > 0 and decision in stages.IRREVERSIBLE else None)
    planned = []
    for person, application, target in plan_decision(db, campaign, people, decision, now):
        columns = _decision_columns(campaign, decision, target, now, actor)
        move = Move(application["id"], person["id"], person["handle"], application["stage"], target,
                    decision, undo_until=undo_until)
        email = compose(target, person, {**application, **columns})
        planned.append((move, email, columns))
    return _commit(db, planned, campaign, now=now, actor=actor, scheduled_at=undo_until)


def _decision_columns(campaign: Campaign, decision: str, target: str, now: datetime, actor: str) -> dict:
    columns: dict = {"decided_by": actor}
    if decision == "send-agreement":
        deadline = now + timedelta(days=campaign.agreement_days)
        columns |= {"agreement_state": "sent", "agreement_deadline": iso(deadline)}
    elif target in (stages.SIGNED, stages.REFUSED):
        columns["agreement_state"] = target
    return columns


def collaborate(db: Database, campaign: Campaign, *, now: datetime, actor: str,
                compose: Compose = no_email) -> list[Move]:
    """Start the collaboration, once: signed or accepted go in, the undecided are turned down."""
    if campaign.collaborated_at:
        raise UserError(f"The collaboration of {campaign.name!r} already started on "
                        f"{campaign.collaborated_at}; it runs only once.")
    rows = list(db.query(
        """SELECT a.*, i.handle FROM applications a JOIN influencers i ON i.id = a.influencer_id
           WHERE a.campaign_id = ? ORDER BY a.id""", [campaign.id]))
    planned = []
    for application in rows:
        stage = application["stage"]
        if stage in (stages.SIGNED, stages.IN_CAMPAIGN):
            action, event = "collaborate-in", COLLABORATION_IN
        elif stage in stages.UNDECIDED:
            action, event = "collaborate-out", COLLABORATION_OUT
        else:
            continue
        target = stages.next_stage(stage, action, campaign, now)
        move = Move(application["id"], application["influencer_id"], application["handle"], stage, target,
                    action)
        person = influencers.get(db, application["influencer_id"])
        planned.append((move, compose(event, person, {**application, "stage": target}),
                        {"decided_by": actor}))
    cursor = db.conn.execute(
        "UPDATE campaigns SET collaborated_at = ?, updated_at = ? WHERE id = ? AND collaborated_at IS NULL",
        (iso(now), iso(now), campaign.id))
    if cursor.rowcount != 1:
        raise UserError(f"The collaboration of {campaign.name!r} already started; it runs only once.")
    moves = _commit(db, planned, campaign, now=now, actor=actor)
    audit.record(db, at=iso(now), actor=actor, action="campaign.collaborate", entity="campaign",
                 entity_id=campaign.id, campaign_id=campaign.id,
                 joined=sum(m.via == "collaborate-in" for m in moves),
                 turned_down=sum(m.via == "collaborate-out" for m in moves))
    return moves


def expire_agreements(db: Database, campaign: Campaign, *, now: datetime, actor: str,
                      compose: Compose = no_email) -> list[Move]:
    """Agreements past their deadline become expired (the daemon runs this)."""
    rows = list(db.query(
        """SELECT a.*, i.handle FROM applications a JOIN influencers i ON i.id = a.influencer_id
           WHERE a.campaign_id = ? AND a.stage = ? AND a.agreement_deadline <= ?""",
        [campaign.id, stages.AGREEMENT_SENT, iso(now)]))
    planned = []
    for application in rows:
        move = Move(application["id"], application["influencer_id"], application["handle"],
                    stages.AGREEMENT_SENT, stages.EXPIRED, "expire")
        person = influencers.get(db, application["influencer_id"])
        planned.append((move, compose(stages.EXPIRED, person, dict(application)),
                        {"agreement_state": "expired"}))
    return _commit(db, planned, campaign, now=now, actor=actor)


def close_due_campaigns(db: Database, *, now: datetime, actor: str) -> list[str]:
    """Close every campaign whose closing time has come; return their names."""
    due = list(db.query(
        "SELECT id, name, closes_at FROM campaigns WHERE status != 'closed' AND closes_at <= ?", [iso(now)]))
    for campaign in due:
        campaign_edit.close(db, campaign["id"], now=iso(now), actor=actor, closes_at=campaign["closes_at"])
    return [c["name"] for c in due]


def answered_invitations(db: Database, campaign_id: int, since: str | None = None) -> list[dict]:
    """Invitees who said yes (invited → to review): application, influencer and when, for the welcome."""
    return list(db.query(
        """SELECT entity_id AS application_id, json_extract(detail, '$.influencer_id') AS influencer_id,
                  at FROM audit_events
           WHERE campaign_id = ? AND action = 'application.stage' AND at >= ?
             AND json_extract(detail, '$.from') = ? AND json_extract(detail, '$.to') = ?
           ORDER BY at, id""", [campaign_id, since or "", stages.INVITED, stages.TO_REVIEW]))
