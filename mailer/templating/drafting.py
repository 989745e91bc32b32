"""Rendering an outreach message for one recipient, with the flags the moderation queue shows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from store.campaigns import Campaign
from store.database import Database
from store.errors import UserError

# render(db, campaign, kind, influencer, *, language=None, source=None) -> a Rendered
# (mailer.templating.rendering).
Render = Callable[..., Any]
Measure = Callable[[Any], int]
# source(db, campaign, kind, language) -> the (subject, body) template a message is rendered from.
Source = Callable[[Database, Campaign, str, str], tuple[str, str]]


@dataclass(frozen=True)
class Draft:
    """A rendered message, or the sentence saying why it could not be rendered."""

    kind: str
    language: str | None
    subject: str
    body: str
    body_html: str | None
    length: int
    flags: tuple[str, ...]

    @property
    def blocked(self) -> bool:
        return bool({"over_limit", "missing_data"} & set(self.flags))


@dataclass(frozen=True)
class Renderer:
    """The template engine's two functions, injectable so the core stays testable on its own."""

    render: Render
    measure: Measure
    source: Source

    @classmethod
    def default(cls) -> Renderer:
        from mailer.templating import rendering

        return cls(rendering.render, rendering.invitation_length, rendering.template_source)


def draft(db: Database, renderer: Renderer, campaign: Campaign, kind: str, influencer: dict,
          language: str | None = None) -> Draft:
    """Render `kind` for `influencer`; a template error becomes a `missing_data` flag, not an exception."""
    try:
        rendered = renderer.render(db, campaign, kind, influencer, language=language)
    except UserError as error:
        chosen = language or influencer.get("language") or campaign.languages[0]
        return Draft(kind, chosen, "", str(error), None, 0, ("missing_data",))
    length = renderer.measure(rendered)
    flags = ("over_limit",) if kind == "invitation" and length > campaign.invite_limit else ()
    return Draft(kind, rendered.language, rendered.subject, rendered.body, rendered.body_html,
                 length, flags)
