"""A handful of influencers, campaigns, applications, messages and notes for query tests."""

from __future__ import annotations

import json

from store.db import Store

NOW = "2026-11-23T10:00:00+00:00"
# handle, name, first, email, platforms, followers, engagement, country, language, tags, address,
# custom, bookmarked, unsubscribed, bounced
PEOPLE = [
    ("ana", "Ana Silva", "Ana", "ana@mail.example", ["instagram", "tiktok"], 12000, 3.5, "FR", "fr",
     ["beauty", "skincare"], "1 rue de la Paix", {"city": "Paris", "shoe_size": 38}, 1, 0, 0),
    ("marco", "Marco Rossi", "Marco", "marco@mail.example", ["youtube"], 150000, 1.2, "IT", "it",
     ["fitness", "travel"], None, {"city": "Milano", "shoe_size": "44"}, 0, 0, 0),
    ("lea", "Léa Dubois", "Léa", None, ["instagram"], 800, 7.9, "be", "fr", ["Beauty"], "", {}, 0, 1, 0),
    ("jonas", "Jonas Müller", "Jonas", "jonas_m@mail.example", ["tiktok"], None, None, None, "de", [],
     "Hauptstr. 1", {"note": "50% off"}, 0, 0, 1),
    ("100pct", "100% Real", "Real", "real@mail.example", ["YouTube"], 1500000, 0.5, "US", "en", ["food"],
     None, {}, 0, 0, 0),
    ("sofia.garcia", "Sofia García", "Sofia", "sofia@mail.example", ["instagram"], 45000, 4.0, "ES", "es",
     ["fashion", "beauty"], "Calle 2", {"city": "Sevilla"}, 0, 0, 0),
]
EVERYONE = frozenset(p[0] for p in PEOPLE)
CAMPAIGNS = ["Spring 25", "Glow"]
# handle, campaign, source, stage
APPLICATIONS = [
    ("ana", "Spring 25", "invited", "in campaign"), ("marco", "Spring 25", "applied", "to review"),
    ("sofia.garcia", "Glow", "invited", "invited"), ("lea", "Glow", "applied", "shortlisted"),
]
# handle, direction, status, sent_at
MESSAGES = [
    ("ana", "out", "sent", "2026-11-20T10:00:00+00:00"), ("ana", "in", None, None),
    ("marco", "out", "sent", "2026-10-01T10:00:00+00:00"), ("sofia.garcia", "out", "queued", None),
    ("jonas", "out", None, "2026-11-22T10:00:00+00:00"), ("lea", "out", "failed", None),
]


def seed(store: Store) -> dict[str, int]:
    """Insert the people above with plain SQL and return their ids by handle."""
    with store.write() as db:
        ids = {}
        for p in PEOPLE:
            cursor = db.conn.execute(
                """INSERT INTO influencers (handle, name, first_name, email, platforms, followers,
                       engagement_rate, country, language, tags, address, custom, bookmarked,
                       unsubscribed, bounced, created_at, updated_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (*p[:4], json.dumps(p[4]), *p[5:9], json.dumps(p[9]), p[10], json.dumps(p[11]),
                 *p[12:], NOW, NOW))
            ids[p[0]] = cursor.lastrowid
        campaign_ids = {}
        for name in CAMPAIGNS:
            cursor = db.conn.execute("INSERT INTO campaigns (name, created_at, updated_at) VALUES (?, ?, ?)",
                                     (name, NOW, NOW))
            campaign_ids[name] = cursor.lastrowid
        for handle, campaign, source, stage in APPLICATIONS:
            db.conn.execute(
                """INSERT INTO applications (influencer_id, campaign_id, source, stage, created_at,
                       updated_at) VALUES (?, ?, ?, ?, ?, ?)""",
                (ids[handle], campaign_ids[campaign], source, stage, NOW, NOW))
        for n, (handle, direction, status, sent_at) in enumerate(MESSAGES):
            db.conn.execute(
                """INSERT INTO messages (influencer_id, direction, kind, status, sent_at, message_id,
                       created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
                (ids[handle], direction, "reply" if direction == "in" else "invitation", status, sent_at,
                 f"<m{n}@test>", NOW, NOW))
        db.conn.execute("INSERT INTO notes (influencer_id, author, body, created_at) VALUES (?, ?, ?, ?)",
                        (ids["sofia.garcia"], "tester", "Great reels.", NOW))
    return ids
