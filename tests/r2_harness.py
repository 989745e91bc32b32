"""Run one pipeline action in a child process that announces when it is half-way through its writes.

Used by the R2 test: the parent SIGKILLs this process while its transaction holds
half of a bulk decision's stage changes, outbox rows and audit events.
Usage: python tests/r2_harness.py DB ACTION CAMPAIGN PAUSE_AT [HANDLE...]
"""

from __future__ import annotations

import sys
import time

from mailer.actions import pipeline
from store import moves
from store.db import Store


def main() -> None:
    db_path, action, campaign, pause_at, *handles = sys.argv[1:]
    real = moves.queueing.enqueue
    calls = 0

    def announcing(*args, **kwargs):
        nonlocal calls
        calls += 1
        if calls == int(pause_at):
            print("half-way", flush=True)
            time.sleep(60)  # the parent kills us here, mid-transaction
        return real(*args, **kwargs)

    moves.queueing.enqueue = announcing
    store = Store(db_path)
    if action == "collaborate":
        pipeline.collaborate(store, campaign)
    else:
        pipeline.decide(store, campaign, handles, action)
    print("done", flush=True)


if __name__ == "__main__":
    main()
