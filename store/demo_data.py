"""The demo workspace's data: influencers, three campaigns, pipelines and conversations.

Deterministic (seeded), and written in one transaction so a demo is never half-made.
"""

from __future__ import annotations

import json
import random
import unicodedata
from datetime import datetime, timedelta

from store import campaigns, reply_marks
from store.campaigns import Campaign, CampaignSpec
from store.clock import iso
from store.database import Database
from store.outbox.queueing import enqueue
from store.outreach_rules.sequence import SEQUENCE_STAGES
from store.rowids import inserted_id

FIRST_NAMES = ["Ana", "Léa", "Marco", "Sofia", "Jonas", "Chloé", "Emma", "Lucas", "Mia", "Noah",
               "Inès", "Hugo", "Zoé", "Elif", "Yuki", "Amara", "Kofi", "Lina", "Mateo", "Nora"]
LAST_NAMES = ["Martin", "Rossi", "García", "Müller", "Dubois", "Silva", "Novak", "Kowalski",
              "Jensen", "Okafor", "Tanaka", "Moreau", "Bianchi", "Costa", "Laurent", "Weber"]
COUNTRIES = [("FR", "fr"), ("FR", "fr"), ("BE", "fr"), ("ES", "es"), ("IT", "it"), ("DE", "de"),
             ("GB", "en"), ("US", "en"), ("US", "en"), ("CA", "en"), ("PT", "pt"), ("NL", "en")]
TAGS = ["beauty", "skincare", "fashion", "fitness", "food", "travel", "tech", "parenting",
        "gaming", "wellness", "vegan", "streetwear"]
PLATFORMS = ["instagram", "tiktok", "youtube", "twitch"]

CAMPAIGNS = [
    CampaignSpec(name="Glow Serum Launch", program="Lumen Skincare", sender="casting@lumen.example",
                 sender_name="Lumen Casting", budget=25000, min_followers=5000, min_engagement=1.5,
                 timezone="Europe/Paris", windows=["mon-fri 09:00-18:00"], daily_cap=40,
                 languages=["fr", "en"], requires_agreement=True,
                 segment="tag:skincare followers>=5000", brief="Three stories and a reel about the serum."),
    CampaignSpec(name="Trail Running Summer", program="Northpeak", sender="team@northpeak.example",
                 sender_name="Northpeak Team", budget=12000, min_followers=2000,
                 timezone="America/New_York", windows=["mon-sat 08:00-17:00"], daily_cap=25,
                 languages=["en"], segment="tag:fitness", brief="Run a trail in our shoes, post a video."),
    CampaignSpec(name="Winter Capsule 25", program="Maison Ardent", sender="hello@ardent.example",
                 sender_name="Maison Ardent", budget=8000, timezone="Europe/Paris",
                 windows=["mon-fri 10:00-17:00"], daily_cap=30, languages=["fr", "en"],
                 segment="tag:fashion country:FR", brief="A winter look with the capsule collection."),
]

# (stage, source, share of candidates) per campaign, to show a pipeline at work.
STAGE_MIX = [
    ("invited", "invited", 0.35), ("to review", "applied", 0.2), ("to review", "invited", 0.1),
    ("shortlisted", "applied", 0.1), ("in campaign", "invited", 0.1), ("rejected", "applied", 0.1),
    ("ineligible", "applied", 0.05),
]


def _influencer(rng: random.Random, n: int, now: str) -> dict:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    country, language = rng.choice(COUNTRIES)
    plain = unicodedata.normalize("NFKD", f"{first}.{last}".lower())
    handle = f"{plain.encode('ascii', 'ignore').decode()}{n}"
    followers = int(rng.lognormvariate(9.5, 1.4))
    return {
        "handle": handle, "name": f"{first} {last}", "first_name": first,
        "email": f"{handle}@mail.example", "platforms": json.dumps(rng.sample(PLATFORMS, rng.randint(1, 2))),
        "followers": followers, "engagement_rate": round(rng.uniform(0.4, 9.0), 2),
        "country": country, "language": language, "tags": json.dumps(rng.sample(TAGS, rng.randint(1, 3))),
        "address": f"{rng.randint(1, 120)} rue de l'Exemple, {rng.randint(10000, 95000)} Ville",
        "custom": json.dumps({"shoe_size": rng.randint(36, 46)}),
        "bookmarked": int(rng.random() < 0.05), "created_at": now, "updated_at": now,
    }


def seed(db: Database, now: datetime, actor: str, influencer_count: int = 320) -> dict:
    """Fill an empty database with demo data; call inside a write transaction."""
    rng = random.Random(20261123)
    stamp = iso(now)
    people = [_influencer(rng, n, stamp) for n in range(influencer_count)]
    db.conn.executemany(
        f"INSERT INTO influencers ({', '.join(people[0])}) VALUES ({', '.join('?' * len(people[0]))})",
        [list(p.values()) for p in people],
    )
    ids = [row[0] for row in db.execute("SELECT id FROM influencers ORDER BY id")]
    rows = {row[0]: row for row in db.execute("SELECT id, email, first_name, language FROM influencers")}
    made = [campaigns.create(db, spec, actor=actor, now=stamp) for spec in CAMPAIGNS]
    messages = 0
    for index, campaign in enumerate(made):
        pool = rng.sample(ids, 90 - index * 20)
        messages += _pipeline(db, rng, campaign, pool, rows, now)
    return {"influencers": len(ids), "campaigns": len(made), "messages": messages}


def _pipeline(db: Database, rng: random.Random, campaign: Campaign, pool: list[int], rows: dict,
              now: datetime) -> int:
    start, sent = 0, 0
    for stage, source, share in STAGE_MIX:
        chosen = pool[start:start + max(1, int(len(pool) * share))]
        start += len(chosen)
        for influencer_id in chosen:
            when = now - timedelta(days=rng.randint(1, 20), minutes=rng.randint(0, 600))
            # An invited yes of weeks ago had its welcome sequence then: opening the demo must not
            # write a "skipped: accepted too long ago" into the history of every one of them.
            done = iso(when) if source == "invited" and stage in SEQUENCE_STAGES else None
            db.conn.execute(
                """INSERT INTO applications (influencer_id, campaign_id, source, stage, fee, created_at,
                       updated_at, accepted_at, sequence_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (influencer_id, campaign.id, source, stage, rng.choice([None, 150, 300, 800]),
                 iso(when), iso(when), done, done),
            )
            if source == "invited":
                sent += _conversation(db, rng, campaign, rows[influencer_id], when)
    return sent


def _conversation(db: Database, rng: random.Random, campaign: Campaign, person: tuple,
                  when: datetime) -> int:
    influencer_id, email, first_name, language = person
    _, status = enqueue(
        db, now=iso(when), kind="invitation", to_addr=email, from_addr=campaign.sender_email or "",
        from_name=campaign.sender_name, influencer_id=influencer_id, campaign_id=campaign.id,
        language=language, subject=f"{campaign.program} × you?",
        body=f"Hi {first_name}, we love your work and would like you in {campaign.name}. "
             f"Interested? Reply to this email.",
    )
    db.conn.execute("UPDATE messages SET status = 'sent', sent_at = created_at, attempts = 1 "
                    "WHERE id = last_insert_rowid() AND status = 'queued'")
    if rng.random() < 0.45:
        reply_at = when + timedelta(hours=rng.randint(1, 40))
        subject = f"Re: {campaign.program} × you?"
        body = rng.choice(["Sounds great, tell me more!", "What is the fee?", "Yes, I'm in.",
                           "Not this time, thanks.", "Can you send the brief?"])
        cursor = db.conn.execute(
            """INSERT INTO messages (influencer_id, campaign_id, direction, kind, language, from_addr,
                   to_addr, subject, body, message_id, is_read, received_at, created_at, updated_at)
               VALUES (?, ?, 'in', 'reply', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (influencer_id, campaign.id, language, email, campaign.sender_email, subject, body,
             f"<demo-{influencer_id}-{campaign.id}@mail.example>", int(rng.random() < 0.6),
             iso(reply_at), iso(reply_at), iso(reply_at)),
        )
        # Guessed as a synced reply would be, so `replied:positive` means something in the demo.
        reply_marks.record_guess(db, inserted_id(cursor), reply_marks.first_guess(subject, body, []))
        return 2
    return 1


def bounce_target(db: Database) -> dict | None:
    """The demo invitation that bounces: the earliest sent to someone invited who never wrote back."""
    rows = list(db.query(
        """SELECT m.id, m.to_addr, m.from_addr, m.subject, m.message_id, m.sent_at FROM messages m
           JOIN applications a ON a.influencer_id = m.influencer_id AND a.campaign_id = m.campaign_id
           WHERE m.direction = 'out' AND m.kind = 'invitation' AND m.status = 'sent' AND a.stage = 'invited'
             AND NOT EXISTS (SELECT 1 FROM messages r WHERE r.influencer_id = m.influencer_id
                             AND r.direction = 'in')
           ORDER BY m.campaign_id, m.id LIMIT 1"""))
    return rows[0] if rows else None
