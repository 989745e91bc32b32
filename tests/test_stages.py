"""The stage machine as pure functions: every legal move, every illegal one refused by name."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from store import stages
from store.campaigns import Campaign
from store.errors import UserError
from store.stages import CampaignRules, IllegalMove, next_stage

NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)
PLAIN = CampaignRules(requires_agreement=False)
AGREEMENT = CampaignRules(requires_agreement=True)

# Written out by hand from SPEC §3, independently of store/stages.py's tables.
LEGAL_PLAIN = {
    ("to review", "accept"): "in campaign", ("shortlisted", "accept"): "in campaign",
    ("declined", "accept"): "in campaign", ("ineligible", "accept"): "in campaign",
    ("to review", "reject"): "rejected", ("shortlisted", "reject"): "rejected",
    ("declined", "reject"): "rejected", ("ineligible", "reject"): "rejected",
    ("agreement sent", "reject"): "rejected", ("signed", "reject"): "rejected",
    ("refused", "reject"): "rejected", ("expired", "reject"): "rejected",
    ("to review", "shortlist"): "shortlisted", ("declined", "shortlist"): "shortlisted",
    ("ineligible", "shortlist"): "shortlisted",
    ("to review", "decline"): "declined", ("shortlisted", "decline"): "declined",
    ("ineligible", "decline"): "declined",
    ("agreement sent", "signed"): "signed", ("agreement sent", "refused"): "refused",
    ("signed", "accept"): "in campaign",
}
LEGAL_AGREEMENT = {key: value for key, value in LEGAL_PLAIN.items()
                   if not (key[1] == "accept" and key[0] != "signed")} | {
    ("to review", "send-agreement"): "agreement sent", ("shortlisted", "send-agreement"): "agreement sent",
    ("declined", "send-agreement"): "agreement sent", ("expired", "send-agreement"): "agreement sent",
}


def _all_pairs() -> list[tuple[str, str]]:
    return [(stage, decision) for stage in stages.STAGES for decision in stages.DECISIONS]


@pytest.mark.parametrize(("rules", "legal"), [(PLAIN, LEGAL_PLAIN), (AGREEMENT, LEGAL_AGREEMENT)],
                         ids=["plain", "agreement"])
@pytest.mark.parametrize(("stage", "decision"), _all_pairs())
def test_every_decision_from_every_stage(rules: CampaignRules, legal: dict, stage: str,
                                         decision: str) -> None:
    if (stage, decision) in legal:
        assert next_stage(stage, decision, rules, NOW) == legal[(stage, decision)]
        return
    with pytest.raises(IllegalMove) as refused:
        next_stage(stage, decision, rules, NOW)
    sentence = refused.value.sentence
    assert f"'{stages.label(stage)}'" in sentence, sentence
    assert sentence.startswith("Cannot ") and sentence.endswith(".")
    assert "\n" not in sentence


def test_final_stages_say_so() -> None:
    with pytest.raises(IllegalMove, match="stage 'in campaign', which is final"):
        next_stage("in campaign", "reject", PLAIN, NOW)
    with pytest.raises(IllegalMove, match="stage 'rejected', which is final"):
        next_stage("rejected", "accept", PLAIN, NOW)


def test_agreement_campaigns_need_a_signature_before_accepting() -> None:
    with pytest.raises(IllegalMove, match="requires a signed agreement"):
        next_stage("to review", "accept", AGREEMENT, NOW)
    with pytest.raises(IllegalMove, match="does not require an agreement"):
        next_stage("to review", "send-agreement", PLAIN, NOW)


@pytest.mark.parametrize("stage", stages.STAGES)
def test_only_invitees_answer_and_only_pending_agreements_expire(stage: str) -> None:
    if stage == "invited":
        assert next_stage(stage, "answer", PLAIN, NOW) == "to review"
    else:
        with pytest.raises(IllegalMove, match=f"'{stages.label(stage)}'"):
            next_stage(stage, "answer", PLAIN, NOW)
    if stage == "agreement sent":
        assert next_stage(stage, "expire", AGREEMENT, NOW) == "expired"
    else:
        with pytest.raises(IllegalMove, match=f"'{stages.label(stage)}'"):
            next_stage(stage, "expire", AGREEMENT, NOW)


@pytest.mark.parametrize("stage", stages.STAGES)
def test_collaboration_moves(stage: str) -> None:
    if stage in ("signed", "in campaign"):
        assert next_stage(stage, "collaborate-in", AGREEMENT, NOW) == "in campaign"
    else:
        with pytest.raises(IllegalMove):
            next_stage(stage, "collaborate-in", AGREEMENT, NOW)
    undecided = {"to review", "ineligible", "shortlisted", "declined", "agreement sent"}
    if stage in undecided:
        assert next_stage(stage, "collaborate-out", AGREEMENT, NOW) == "rejected"
    else:
        with pytest.raises(IllegalMove):
            next_stage(stage, "collaborate-out", AGREEMENT, NOW)


def test_campaigns_are_read_for_their_rules() -> None:
    deal = Campaign(id=1, name="Deal", requires_agreement=True)
    assert next_stage("signed", "accept", deal, NOW) == "in campaign"
    with pytest.raises(IllegalMove):
        next_stage("to review", "accept", deal, NOW)


@pytest.mark.parametrize(("typed", "stage"), [("to review", "to review"), ("In-Campaign", "in campaign"),
                                              ("agreement-sent", "agreement sent")])
def test_parse_stage(typed: str, stage: str) -> None:
    assert stages.parse_stage(typed) == stage


def test_unknown_words_are_one_sentence() -> None:
    with pytest.raises(UserError, match="Unknown decision 'hire'"):
        stages.parse_decision("hire")
    with pytest.raises(UserError, match="Unknown stage 'limbo'"):
        stages.parse_stage("limbo")


@pytest.mark.parametrize(("followers", "engagement", "expected"),
                         [(10_000, 2.0, True), (9_999, 5.0, False), (50_000, 1.9, False),
                          (None, None, False)])
def test_eligibility_against_the_minimums(followers: int | None, engagement: float | None,
                                          expected: bool) -> None:
    campaign = Campaign(id=1, name="Glow", min_followers=10_000, min_engagement=2.0)
    person = {"followers": followers, "engagement_rate": engagement}
    assert stages.eligible(person, campaign) is expected


def test_no_minimums_means_everyone_is_eligible() -> None:
    assert stages.eligible({"followers": None, "engagement_rate": None},
                           Campaign(id=1, name="Glow", min_followers=0, min_engagement=0))


def test_reachable_and_allowed_decisions() -> None:
    assert stages.reachable("invited", PLAIN) >= {"to review", "in campaign", "rejected"}
    assert "agreement sent" not in stages.reachable("invited", PLAIN)
    assert "agreement sent" in stages.reachable("invited", AGREEMENT)
    assert stages.reachable("rejected", PLAIN) == set()
    assert stages.allowed_decisions("to review", PLAIN) == ["accept", "reject", "shortlist", "decline"]
