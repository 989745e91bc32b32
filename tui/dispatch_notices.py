"""The app's notifications about sending: a message that failed, a campaign the circuit breaker paused.

The header's status line counts them; a notification makes sure the operator sees it happen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailer.dispatch.progress import DispatchProgress


@dataclass
class DispatchNotices:
    """What the session's notifications have told so far; `news` gives what a new snapshot adds."""

    failed: int = 0
    paused: int = 0

    def news(self, progress: DispatchProgress) -> list[tuple[str, str]]:
        """(title, sentence) for each thing to tell since the last snapshot, oldest first."""
        told: list[tuple[str, str]] = []
        if progress.failed > self.failed:
            count = progress.failed - self.failed
            what = "1 message" if count == 1 else f"{count:,} messages"
            told.append(("Sending", f"{what} failed: the Outbox (4) shows the server's reply."))
            self.failed = progress.failed
        for reason in progress.paused[self.paused:]:
            told.append(("Campaign paused", f"{reason} (P in the Pipeline resumes it)."))
        self.paused = max(self.paused, len(progress.paused))
        return told
