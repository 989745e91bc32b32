"""The email a pipeline move sends: its trigger's template, rendered for one influencer.

The actions and the template checks share it, so a check renders exactly what a decision sends.
"""

from __future__ import annotations

from store import stages, triggers
from store.campaigns import Campaign, zone
from store.clock import from_iso
from store.database import Database
from store.errors import UserError
from store.moves import Email

OVER_LIMIT = "over_limit"


class Composer:
    """Turns a pipeline event into the email its trigger sends, rendered for one influencer."""

    def __init__(self, db: Database, campaign: Campaign, actor: str) -> None:
        self.db, self.campaign, self.actor = db, campaign, actor
        self._sender: tuple[str, str] | None = None

    def sender(self) -> tuple[str, str]:
        """(address, display name): the campaign's sender, else the acting operator's."""
        if self._sender is None:
            if self.campaign.sender_email:
                self._sender = (self.campaign.sender_email, self.campaign.sender_name)
            else:
                row = self.db.execute("SELECT from_address, display_name FROM operators WHERE login = ?",
                                      (self.actor,)).fetchone()
                if not row or not row[0]:
                    raise UserError(
                        f"Campaign {self.campaign.name!r} has no sender and operator {self.actor} has no "
                        f"from-address; set one with `callsheet operator add {self.actor} --from EMAIL`.")
                self._sender = (row[0], row[1] or "")
        return self._sender

    def extra_for(self, application: dict, sender: tuple[str, str]) -> dict:
        """The application's tokens (fee, agreement deadline in local time, stage) and the sender."""
        deadline = application.get("agreement_deadline")
        local = (from_iso(deadline).astimezone(zone(self.campaign.timezone))
                 .strftime("%Y-%m-%d %H:%M") if deadline else None)
        return {"fee": application.get("fee"), "agreementDeadline": local,
                "stage": stages.label(application.get("stage")),
                "sender": {"email": sender[0], "name": sender[1]}}

    def __call__(self, event: str, influencer: dict, application: dict) -> Email | None:
        kind = triggers.template_for(self.db, self.campaign.id, event)
        if kind is None:
            return None
        address, name = self.sender()
        if not influencer.get("email"):
            return Email(kind, "", "", "", None, None, address, name)
        # jinja2 and the sandbox (a sixth of the app's start-up) load with the first email composed.
        from mailer.templating.rendering import invitation_length, render

        extra = self.extra_for(application, (address, name))
        rendered = render(self.db, self.campaign, kind, influencer, extra=extra)
        status, flags = "queued", tuple[str, ...]()
        if kind == "invitation":
            if invitation_length(rendered) > self.campaign.invite_limit:
                status, flags = "planned", (OVER_LIMIT,)
            elif self.campaign.moderation:
                status = "planned"
        return Email(kind, rendered.language, rendered.subject, rendered.body, rendered.body_html,
                     influencer["email"], address, name, status, flags)
