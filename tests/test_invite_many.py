"""`callsheet invite CAMPAIGN --query | --segment | --from-campaign`: many in one step, asked first.

The campaign is not moderated, so its invitations are queued and `dispatch` hands them to a
real SMTP server: who gets mail is exactly who was invited.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from store.db import Store
from tests.cli_helpers import assert_user_error, run, run_json
from tests.dispatch_helpers import ThreadedSink
from tests.pipeline_helpers import add_influencer, make_campaign, stage_of, table_counts

BEAUTY = ("ana", "bob", "cat", "dan", "eve", "gus")


@pytest.fixture
def sink(monkeypatch: pytest.MonkeyPatch):
    with ThreadedSink() as running:
        monkeypatch.setenv("CALLSHEET_SMTP_URL", f"smtp://127.0.0.1:{running.port}?tls=none")
        yield running


@pytest.fixture
def cast(store: Store, db_path: Path) -> Store:
    """Six tagged beauty (dan bounced, eve unsubscribed, cat already invited to Spring), fay not."""
    make_campaign(store, moderation=False)
    make_campaign(store, "Glow", moderation=False)
    for n, handle in enumerate(BEAUTY):
        add_influencer(store, handle, tags=["beauty"], followers=10_000 * (n + 1),
                       bounced=int(handle == "dan"), unsubscribed=int(handle == "eve"))
    add_influencer(store, "fay", tags=["food"])
    assert run(db_path, "invite", "Spring", "cat").exit_code == 0
    assert run(db_path, "segment", "save", "Beauty", "tag:beauty").exit_code == 0
    return store


def in_pipeline(store: Store, campaign: str = "Spring") -> list[str]:
    return [row[0] for row in store.writer.execute(
        "SELECT i.handle FROM applications a JOIN influencers i ON i.id = a.influencer_id "
        "JOIN campaigns c ON c.id = a.campaign_id WHERE c.name = ? ORDER BY i.handle", [campaign])]


def mailed(sink, db_path: Path) -> list[str]:
    """Dispatch what is due and return the recipients the SMTP server accepted, by address."""
    sink.received.clear()
    result = run(db_path, "dispatch", "--json")
    assert result.exit_code == 0, result.output
    return sorted(address for message in sink.received for address in message.rcpt_tos)


def test_invite_a_segment_minus_the_suppressed_and_the_already_invited(cast: Store, db_path: Path,
                                                                      sink) -> None:
    assert mailed(sink, db_path) == ["cat@example.com"]
    result = run(db_path, "invite", "Spring", "--segment", "Beauty", input="y\n")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "skipped @cat: already in the pipeline (invited)" in out
    assert "skipped @dan: bounced" in out and "skipped @eve: unsubscribed" in out
    assert ("From segment 'Beauty', 3 to invite to 'Spring': @ana, @bob, @gus; skipping 3 "
            "(2 suppressed, 1 already in the pipeline).") in out
    assert "Invite 3 influencers to 'Spring'? [y/N]" in out
    assert ("Invited 3 influencers from segment 'Beauty' to 'Spring'; emails: 3 queued. "
            "Skipped 3 (2 suppressed, 1 already in the pipeline).") in out
    assert in_pipeline(cast) == ["ana", "bob", "cat", "gus"]
    assert {stage_of(cast, "Spring", h) for h in ("ana", "bob", "gus")} == {"invited"}
    assert mailed(sink, db_path) == ["ana@example.com", "bob@example.com", "gus@example.com"]
    [event] = [e for e in run_json(db_path, "audit") if e["action"] == "pipeline.invite_many"]
    assert (event["detail"]["invited"], event["detail"]["skipped"]) == (3, 3)
    again = run(db_path, "invite", "Spring", "--segment", "beauty", "--yes")
    assert_user_error(again, "Nobody to invite from segment 'beauty' to 'Spring'; skipping 6 "
                             "(2 suppressed, 4 already in the pipeline).")


def test_invite_from_a_query_as_json(cast: Store, db_path: Path) -> None:
    result = run(db_path, "invite", "Spring", "--query", "tag:beauty followers>=20k", "--yes", "--json")
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert [m["handle"] for m in answer["invited"]] == ["bob", "gus"]
    assert {s["handle"]: s["reason"] for s in answer["skipped"]} == {
        "cat": "already in the pipeline (invited)", "dan": "bounced", "eve": "unsubscribed"}
    assert in_pipeline(cast) == ["bob", "cat", "gus"]


def test_invite_from_another_campaign_at_a_stage(cast: Store, db_path: Path) -> None:
    with cast.write() as db:
        for handle, stage in (("ana", "in campaign"), ("fay", "in campaign"), ("bob", "rejected"),
                              ("eve", "in campaign")):
            db.conn.execute(
                "INSERT INTO applications (influencer_id, campaign_id, source, stage, created_at, "
                "updated_at) SELECT i.id, c.id, 'invited', ?, '2026-11-01', '2026-11-01' "
                "FROM influencers i, campaigns c WHERE i.handle = ? AND c.name = 'Glow'", [stage, handle])
    result = run(db_path, "invite", "Spring", "--from-campaign", "Glow", "--stage", "in campaign", "--yes")
    assert result.exit_code == 0, result.output
    assert "skipped @eve: unsubscribed" in result.stdout
    assert "Invited 2 influencers from campaign 'Glow' (in campaign) to 'Spring'" in result.stdout
    assert in_pipeline(cast) == ["ana", "cat", "fay"]
    result = run(db_path, "invite", "Spring", "--from-campaign", "Glow", "--yes")
    assert "Invited 1 influencer from campaign 'Glow' to 'Spring'" in result.stdout
    assert in_pipeline(cast) == ["ana", "bob", "cat", "fay"]
    assert_user_error(run(db_path, "invite", "Spring", "--from-campaign", "Spring", "--yes"),
                      "Invite from another campaign than 'Spring'")
    assert_user_error(run(db_path, "invite", "Spring", "--from-campaign", "Glow", "--stage", "soon"),
                      "Unknown stage 'soon'")


def test_the_limit_caps_how_many_are_invited(cast: Store, db_path: Path) -> None:
    result = run(db_path, "invite", "Spring", "--segment", "Beauty", "--limit", "2", "--yes")
    assert result.exit_code == 0, result.output
    assert "@ana, @bob; skipping 3 (2 suppressed, 1 already in the pipeline); 1 more left out by the limit." \
        in result.stdout
    assert in_pipeline(cast) == ["ana", "bob", "cat"]
    assert_user_error(run(db_path, "invite", "Spring", "--segment", "Beauty", "--limit", "0"),
                      "--limit takes a number of influencers from 1 up")


def test_without_a_terminal_or_yes_nothing_changes(cast: Store, db_path: Path) -> None:
    before = table_counts(cast)
    assert_user_error(run(db_path, "invite", "Spring", "--segment", "Beauty"),
                      "Nothing changed: inviting 3 influencers sends their invitations; confirm on a "
                      "terminal or pass --yes.")
    assert_user_error(run(db_path, "invite", "Spring", "--segment", "Beauty", input="n\n"),
                      "you did not confirm")
    # The real thing: a process whose stdin is no terminal.
    done = subprocess.run([sys.executable, "-m", "tui.cli", "--db", str(db_path), "invite", "Spring",
                           "--segment", "Beauty"], stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=120, env=dict(os.environ))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.strip().endswith("confirm on a terminal or pass --yes."), done.stderr
    assert "From segment 'Beauty', 3 to invite to 'Spring'" in done.stdout
    assert table_counts(cast) == before and in_pipeline(cast) == ["cat"]


@pytest.mark.parametrize(("args", "sentence"), [
    (("--segment", "Nope"), "There is no segment named 'Nope'; `callsheet segment list` shows them."),
    (("--query", "segment:Nope"), "There is no segment named 'Nope'; `callsheet segment list` shows them."),
    (("ana", "--segment", "Beauty"),
     "Invite from exactly one of handles, --query, --segment or --from-campaign."),
    (("--query", "tag:x", "--segment", "Beauty"), "Invite from exactly one of handles"),
    ((), "Invite from exactly one of handles"),
    (("--segment", "Beauty", "--stage", "signed"), "--stage goes with --from-campaign"),
    (("--query", "tag:food OR"), "needs a term on each side"),
])
def test_bad_sources_are_one_sentence(cast: Store, db_path: Path, args: tuple, sentence: str) -> None:
    before = table_counts(cast)
    assert_user_error(run(db_path, "invite", "Spring", *args, "--yes"), sentence)
    assert table_counts(cast) == before


def test_a_role_that_may_not_invite_is_refused(cast: Store, db_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    assert run(db_path, "operator", "add", "mo", "--role", "moderator").exit_code == 0
    before = table_counts(cast)
    monkeypatch.setenv("CALLSHEET_USER", "mo")
    assert_user_error(run(db_path, "invite", "Spring", "--segment", "Beauty", "--yes"),
                      "mo is a moderator and may not move applications.")
    assert table_counts(cast) == before
    monkeypatch.setenv("CALLSHEET_USER", "tester")
    assert run(db_path, "operator", "add", "eva", "--role", "evaluator").exit_code == 0
    monkeypatch.setenv("CALLSHEET_USER", "eva")
    assert run(db_path, "invite", "Spring", "--segment", "Beauty", "--yes").exit_code == 0
    assert in_pipeline(cast) == ["ana", "bob", "cat", "gus"]


def test_a_closed_campaign_refuses_as_invite_does(cast: Store, db_path: Path) -> None:
    with cast.write() as db:
        db.conn.execute("UPDATE campaigns SET status = 'closed' WHERE name = 'Spring'")
    before = table_counts(cast)
    assert_user_error(run(db_path, "invite", "Spring", "--segment", "Beauty", "--yes"),
                      "Campaign 'Spring' closed; it takes no more candidates.")
    assert table_counts(cast) == before
