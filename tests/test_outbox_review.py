"""The Outbox says when an invitation still waits for its evening review, as Moderation does."""

from __future__ import annotations

from pathlib import Path

from mailer.actions import outreach
from store.outbox.admin import outbox_rows, unreviewed_count
from tests.cli_helpers import run
from tests.test_moderation_pane import queue_store


def _invitations(store) -> dict[int, str]:
    rows = outbox_rows(store.reader(), ("planned", "queued", "deferred", "failed", "skipped"), 100, 0,
                       now=store.now_iso())
    return {row.id: row.shown_status for row in rows if row.kind == "invitation"}


def test_an_unreviewed_invitation_is_to_review_until_approved_or_skipped(tmp_path: Path) -> None:
    store = queue_store(tmp_path / "q.db")
    before = _invitations(store)
    assert len(before) == 8 and set(before.values()) == {"to review"}
    assert unreviewed_count(store.reader(), ("planned", "queued"), store.now_iso()) == 8
    first, second, *_ = sorted(before)
    outreach.approve(store, [first])
    outreach.skip(store, [second])
    after = _invitations(store)
    assert after[first] != "to review" and after[second] == "skipped"
    assert [status for key, status in after.items() if key not in (first, second)] == ["to review"] * 6
    assert unreviewed_count(store.reader(), ("planned", "queued"), store.now_iso()) == 6
    assert unreviewed_count(store.reader(), ("sent",), store.now_iso()) == 0
    printed = run(tmp_path / "q.db", "outbox", "--status", "planned", "--status", "queued").stdout
    assert "to review" in printed
    store.close()
