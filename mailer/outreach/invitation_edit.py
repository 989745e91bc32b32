"""A moderator's edit of one invitation: a template for that one recipient, rendered in the sandbox.

The edit sees the same tokens as the planned invitation (the influencer, the campaign,
the sender, the links), so `Hi {{ firstName }}` goes out as `Hi Ana`; the length limit is
checked on the rendered text, and a template error is one sentence that changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mailer.templating.drafting import Renderer
from store import campaigns, influencers
from store import moderation as queue
from store.campaigns import Campaign
from store.database import Database
from store.errors import UserError
from store.header_text import check_header_text
from store.moderation import Invitation


@dataclass(frozen=True)
class EditSession:
    """One invitation opened for editing: the template it comes from, and who it is for."""

    row: Invitation
    subject: str
    body: str
    campaign: Campaign
    person: dict
    renderer: Renderer
    db: Database | None = None  # where its tracked links' targets are found (or registered, when saved)

    def render(self, subject: str, body: str) -> Any:
        """The edit rendered for this recipient; TemplateError (a UserError) when it cannot be."""
        if not body.strip():
            raise UserError("An invitation cannot be empty.")
        check_header_text(subject, "The subject")
        # The sender is this message's own: the campaign's, or the operator's for a hand-made one.
        sender = {"email": self.row.sender or "", "name": self.row.from_name or ""}
        return self.renderer.render(self.db, self.campaign, "invitation", self.person,
                                    language=self.row.language, extra={"sender": sender},
                                    source=(subject, body))

    def measure(self, subject: str, body: str) -> int | str:
        """The rendered length of a draft, or the sentence saying why it does not render."""
        try:
            return self.renderer.measure(self.render(subject, body))
        except UserError as error:
            return error.sentence


def open_edit(db: Database, message_id: int, renderer: Renderer) -> EditSession:
    """Load an invitation with its source: the moderator's last edit, else the campaign's template."""
    row = queue.message(db, message_id)
    campaign = campaigns.get_by_id(db, row.campaign_id)
    source = queue.edit_source(db, message_id) or renderer.source(db, campaign, "invitation",
                                                                  row.language or "")
    return EditSession(row, source[0], source[1], campaign, influencers.get(db, row.influencer_id),
                       renderer, db)
