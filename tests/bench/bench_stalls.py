"""R5 in seconds: how long slow recipients hold up the rest of a run (not part of the default run).

    uv run pytest tests/bench/bench_stalls.py -n 0 -s

200 messages of which 10 hang at DATA for three SMTP timeouts, against the same 190 prompt
messages with nobody slow, over the same pool and sink, alternating, five rounds. The default
suite checks the order of events instead (tests/test_dispatch_faults.py); this prints the times:
the prompt mail should finish within the normal time plus about one timeout.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time

from mailer.dispatch.dispatcher import Dispatcher
from store.clock import Clock
from store.db import Store
from tests.dispatch_helpers import add_campaign, make_config, queue, start_sink

TIMEOUT = 1.0
ROUNDS = 5


async def _run(store: Store, sink, config, cid: int, prefix: str, slow: bool) -> tuple[float, float]:
    ids = queue(store, 200 if slow else 190, campaign_id=cid, prefix=prefix)
    if slow:
        with store.write() as db:
            db.conn.execute("UPDATE messages SET to_addr = 'slow' || id || '@example.test' WHERE id IN "
                            f"({','.join(map(str, ids[7::20]))})")
    sink.received.clear()
    started = time.monotonic()
    await Dispatcher(store, config).run_until_empty()
    elapsed = time.monotonic() - started
    return elapsed, max(item.at for item in sink.received) - started


async def test_bench_slow_recipients(tmp_path) -> None:
    store = Store(tmp_path / "bench.db", Clock.fixed("2026-11-23T10:00:00+00:00"), actor="bench")
    sink = await start_sink()

    async def hang(envelope, server) -> None:
        if envelope.rcpt_tos[0].startswith("slow"):
            await asyncio.sleep(3 * TIMEOUT)

    sink.on_data = hang
    cid = add_campaign(store)
    config = make_config(sink.port, smtp_timeout=TIMEOUT)
    normal, last_prompt, whole = [], [], []
    for n in range(ROUNDS):
        normal.append((await _run(store, sink, config, cid, f"n{n}", slow=False))[0])
        elapsed, last = await _run(store, sink, config, cid, f"s{n}", slow=True)
        whole.append(elapsed)
        last_prompt.append(last)
    base = statistics.median(normal)
    print(f"\nR5, {ROUNDS} rounds, load average {os.getloadavg()[0]:.2f}, SMTP timeout {TIMEOUT:.1f} s")
    print(f"  190 prompt messages alone: median {base:.2f} s")
    print(f"  last prompt message with 10 slow: median {statistics.median(last_prompt):.2f} s "
          f"= normal + {statistics.median(last_prompt) - base:.2f} s (target: + about one timeout)")
    print(f"  whole run with 10 slow: median {statistics.median(whole):.2f} s")
    store.close()
