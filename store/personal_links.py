"""What a message's personal link points at: the message, its influencer, campaign and application.

The token is the random local part of the message's Message-ID (store/outbox/tokens.py),
so a link cannot be guessed; an unknown token finds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from store import campaigns, influencers, stages
from store.applications import by_influencer
from store.campaigns import Campaign
from store.database import Database
from store.unsubscribes import message_by_token


@dataclass(frozen=True)
class LinkTarget:
    """One message of ours to an influencer, with its campaign and application when it has them."""

    message: dict
    influencer: dict
    campaign: Campaign | None
    application: dict | None
    answered: str | None = None  # 'yes' or 'no' once the invitee answered
    agreement: str = ""  # the agreement mail's text, as the candidate received it

    @property
    def handle(self) -> str:
        return str(self.influencer["handle"])


def target(db: Database, token: str | None) -> LinkTarget | None:
    """What the link with `token` names, or None when no message of ours has that token."""
    found = message_by_token(db, token)
    if found is None:
        return None
    rows = list(db.query("SELECT id, kind, language, subject, body, status, campaign_id, message_id, "
                         "from_name FROM messages WHERE id = ?", [found["id"]]))
    message = rows[0]
    person = influencers.get(db, found["influencer_id"])
    campaign = campaigns.get_by_id(db, found["campaign_id"]) if found["campaign_id"] else None
    application = (by_influencer(db, campaign.id, [person["id"]]).get(person["id"])
                   if campaign is not None else None)
    bare = LinkTarget(message, person, campaign, application)
    if application is None:
        return bare
    return replace(bare, answered=invitation_answer(db, application["id"]),
                   agreement=agreement_text(db, bare))


def invitation_answer(db: Database, application_id: int) -> str | None:
    """'yes' or 'no': how the invitee answered (their move out of invited), None while they have not."""
    row = db.execute(
        """SELECT json_extract(detail, '$.to') FROM audit_events
           WHERE entity = 'application' AND entity_id = ? AND action = 'application.stage'
             AND json_extract(detail, '$.from') = ? ORDER BY id LIMIT 1""",
        (application_id, stages.INVITED)).fetchone()
    if row is None:
        return None
    return "no" if row[0] == stages.DECLINED else "yes"


def agreement_text(db: Database, found: LinkTarget) -> str:
    """The agreement as the candidate received it: the body of the agreement mail (this one, else
    the latest sent to them for the campaign), or '' when none was written."""
    if found.message["kind"] == "agreement" or found.campaign is None:
        return str(found.message["body"] or "")
    row = db.execute(
        """SELECT body FROM messages WHERE direction = 'out' AND kind = 'agreement' AND influencer_id = ?
             AND campaign_id = ? ORDER BY id DESC LIMIT 1""",
        (found.influencer["id"], found.campaign.id)).fetchone()
    return str(row[0] or "") if row else ""
