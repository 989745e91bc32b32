"""Building the demo workspace: seeded data with a bounce and a stray mail, a house template, and
tomorrow's queue planned for real."""

from __future__ import annotations

from datetime import timedelta

from mailer import demo_trouble
from mailer.actions.templates import save_template
from mailer.outreach import planner
from mailer.web.links import page_path
from store import applications, campaigns
from store.db import Store
from store.demo_data import seed
from store.workspace import mark_demo

# A house invitation that grows for the biggest accounts, so some of tomorrow's queue is
# over the length limit and shows a moderator what a flagged invitation looks like.
INVITATION = {
    "en": ("{{ campaign.program }} × {{ firstName }}?",
           "Hi {{ firstName }}! {{ campaign.program }} is casting for {{ campaign.name }}: "
           "{{ campaign.brief }} Want in? Just reply to this email.\n"
           "{% if followers > 60000 %}With {{ followers }} followers you would open the campaign, "
           "and we would love to hear about your audience, your rates and your past collaborations "
           "before we send the products.{% endif %}\n— {{ sender.name }}"),
    "fr": ("{{ campaign.program }} × {{ firstName }} ?",
           "Bonjour {{ firstName }} ! {{ campaign.program }} lance {{ campaign.name }} : "
           "{{ campaign.brief }} Partant·e ? Répondez simplement à ce mail.\n"
           "{% if followers > 60000 %}Avec {{ followers }} abonnés, vous ouvririez la campagne ; "
           "parlez-nous de votre audience, de vos tarifs et de vos collaborations passées avant "
           "l'envoi des produits.{% endif %}\n— {{ sender.name }}"),
}


def build(store: Store) -> dict:
    """Seed an empty store marked as the demo's own, plan tomorrow's invitations; returns what was made."""
    with store.write() as db:
        mark_demo(db)
        counts = seed(db, store.clock.now(), store.actor)
    for language, (subject, body) in INVITATION.items():
        save_template(store, "Glow Serum Launch", "invitation", language, subject, body)
    tomorrow = (store.clock.now() + timedelta(days=1)).date()
    _, results = planner.plan(store, tomorrow)
    counts["planned"] = sum(result.planned for result in results)
    counts["flagged"] = sum(result.flagged for result in results)
    # After the plan, so its rows keep their numbers; the bounced person is in no plan of tomorrow.
    with store.write() as db:
        counts["messages"] += demo_trouble.record(db, store.clock.now(), store.actor)
    return counts


def casting_calls(store: Store) -> list[tuple[str, str]]:
    """(campaign name, page path) of each campaign whose casting-call page takes applications now."""
    now = store.clock.now()
    return [(campaign.name, page_path(campaign.apply_token)) for campaign in campaigns.listing(store.reader())
            if campaign.apply_token and applications.closed_reason(campaign, now) is None]
