"""The app's line after a Pipeline decision counts its emails in words: "1 email", "2 emails"."""

from __future__ import annotations

import pytest

from mailer.actions.pipeline import Decided
from store.moves import Move


def _moves(queued: int, moved: int) -> list[Move]:
    return [Move(application_id=n, influencer_id=n, handle=f"p{n}", from_stage="to review",
                 to_stage="in campaign", via="decision", email_kind="accepted" if n < queued else None,
                 email_status="queued" if n < queued else None) for n in range(moved)]


@pytest.mark.parametrize(("queued", "moved", "grace", "notice"), [
    (1, 1, 30, "accept: 1 moved, 1 email queued; u undoes within 30 s."),
    (2, 2, 30, "accept: 2 moved, 2 emails queued; u undoes within 30 s."),
    (0, 1, 0, "accept: 1 moved, 0 emails queued."),
])
def test_the_notice_counts_emails_in_the_singular_and_plural(queued: int, moved: int, grace: int,
                                                              notice: str) -> None:
    done = Decided(sentence="", moves=_moves(queued, moved), decision="accept", grace=grace)
    assert done.notice == notice
