"""The side panel: who they are, their flags, custom variables, each campaign's state, notes."""

from __future__ import annotations

from datetime import UTC, tzinfo
from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Static

from tui.display import visible_data
from tui.times import operator_zone, shown_time

if TYPE_CHECKING:
    from store.contact import CampaignStanding, InfluencerCard

NOTES_SHOWN = 5


def _fee(application: CampaignStanding) -> str:
    return f"{application.fee:g} {application.currency}" if application.fee is not None else "no fee"


def render_card(card: InfluencerCard, zone: tzinfo = UTC) -> Text:
    person = visible_data(card, lines=("body", "address"))
    text = Text()
    text.append(f"{person.name or person.handle}\n", style="bold")
    text.append(f"@{person.handle}\n{person.email or 'no email'}\n", style="dim")
    text.append(f"{person.address}\n" if person.address else "no postal address\n",
                style="" if person.address else "dim")
    followers = f"{person.followers:,} followers" if person.followers else ""
    facts = [", ".join(person.platforms), followers,
             f"{person.engagement_rate:g}% eng." if person.engagement_rate else "",
             "/".join(v for v in (person.country, person.language) if v)]
    text.append(" · ".join(f for f in facts if f) + "\n")
    if person.tags:
        text.append("#" + " #".join(person.tags) + "\n", style="cyan")
    if person.bounced:
        text.append(f"Bounced: {person.bounce_reason or ''}\n", style="bold red")
    if person.unsubscribed:
        text.append("Unsubscribed\n", style="bold red")
    for key, value in person.custom.items():
        text.append(f"{key}: ", style="dim")
        text.append(f"{value}\n")
    for application in person.applications:
        text.append(f"\n{application.campaign}\n", style="bold")
        text.append(f"  {application.stage} · {application.source} · {_fee(application)}\n")
        if application.agreement_state:
            deadline = application.agreement_deadline
            due = f" (due {deadline[:10]})" if deadline else ""
            text.append(f"  agreement {application.agreement_state}{due}\n")
    notes = person.notes[-NOTES_SHOWN:]
    if notes:
        text.append("\nNotes\n", style="bold")
        for note in notes:
            text.append(f"  {shown_time(note.created_at, zone)} {note.author}: ", style="dim")
            text.append(f"{note.body}\n")
    return text


class ContactPanel(Static):
    """Shows one influencer's card (plain data in, nothing out)."""

    def show(self, card: InfluencerCard | None) -> None:
        self.update(render_card(card, operator_zone(self.app)) if card else Text(""))
