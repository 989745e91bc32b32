"""What must happen to outreach just before anything is sent.

Welcomes and follow-ups that fell due are released or stopped by their rules, and
due outreach outside its campaign's windows is moved into the next window. Every
sender (the `dispatch` command, the app's worker, the daemon) runs this first, so no
path can blast a day's queue after a clock jump or send a stopped follow-up.
"""

from __future__ import annotations

from mailer.outreach import retime, sequence
from store.db import Store


def settle(store: Store) -> list[str]:
    """Advance sequences, then retime what would leave outside its window; one line per action."""
    return [*sequence.advance(store), *retime.sweep(store)]
