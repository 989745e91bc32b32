"""`stage:` beside `campaign:` is about that campaign's application; in the Pipeline, the one on screen."""

from __future__ import annotations

import pytest

from store import pipeline_view
from store.clock import from_iso
from store.db import Store
from store.pipeline_view import View
from store.query.parser import parse_query
from tests.query_data import NOW, seed


@pytest.fixture
def seeded(store: Store) -> dict[str, int]:
    """query_data's people, and ana (in campaign in Spring 25) also rejected in Glow."""
    ids = seed(store)
    with store.write() as db:
        glow = db.execute("SELECT id FROM campaigns WHERE name = 'Glow'").fetchone()[0]
        db.conn.execute("""INSERT INTO applications (influencer_id, campaign_id, source, stage, created_at,
                               updated_at) VALUES (?, ?, 'invited', 'rejected', ?, ?)""",
                        (ids["ana"], glow, NOW, NOW))
    return {"glow": glow, **ids}


def matches(store: Store, text: str) -> set[str]:
    where, params = parse_query(text).to_sql(from_iso(NOW))
    rows = store.reader().execute(f"SELECT handle FROM influencers i WHERE {where}", params)
    return {row[0] for row in rows}


@pytest.mark.parametrize(("text", "expected"), [
    ("campaign:Glow stage:in_campaign", set()),
    ("campaign:Glow stage:rejected", {"ana"}),
    ('campaign:"Spring 25" stage:in_campaign', {"ana"}),
    ("stage:in_campaign campaign:glow", set()),  # the order of the terms does not matter
    ("campaign:Glow -stage:rejected", {"sofia.garcia", "lea"}),
    ("campaign:Glow (stage:in_campaign OR stage:shortlisted)", {"lea"}),
    ("-(campaign:Glow stage:rejected) campaign:Glow", {"sofia.garcia", "lea"}),
    ('campaign:Glow campaign:"Spring 25" stage:in_campaign', set()),
    ('campaign:Glow campaign:"Spring 25" stage:rejected,in_campaign', {"ana"}),
    # Terms in different branches describe different applications.
    ("campaign:Glow OR stage:in_campaign", {"ana", "sofia.garcia", "lea"}),
    ("-campaign:Glow stage:to_review", {"marco"}),
    ("stage:in_campaign", {"ana"}),
])
def test_stage_is_about_the_campaign_named_beside_it(store: Store, seeded: dict[str, int], text: str,
                                                    expected: set[str]) -> None:
    assert matches(store, text) == expected


def test_in_the_pipeline_stage_means_the_campaign_on_screen(store: Store, seeded: dict[str, int]) -> None:
    def shown(search: str) -> list[str]:
        view = View(campaign_id=seeded["glow"], search=search)
        rows = pipeline_view.page(store.reader(), view, from_iso(NOW))
        assert pipeline_view.count(store.reader(), view, from_iso(NOW)) == len(rows)
        return sorted(row.handle for row in rows)

    assert shown("stage:in_campaign") == []  # ana is in campaign in Spring 25, rejected here
    assert shown("stage:rejected") == ["ana"]
    assert shown("-stage:rejected") == ["lea", "sofia.garcia"]
    assert shown('campaign:"Spring 25" stage:in_campaign') == ["ana"]  # a campaign named says which
