"""What the operator feels (issue 15): the real app's latency through its widgets, beside a bare Textual app.

    uv run python -m tests.bench.feel [--quick] [--samples N] [--only inbox|pipeline] [--json PATH]

Builds (once, cached under /tmp/callsheet-bench/) the workload of `tests.bench.workload`, then times
keystroke → frame painted in the real app under Pilot (`feel_app`) and in bare Textual apps doing the
same widget work (`feel_bare`, run before and after the app), calls the counters directly, and starts
both as whole processes, alternating (`feel_cold`). Prints one table of p50/p95 with the ratio of the
p95s (never best-of-N) and the load average, and writes the same as JSON. `--only pipeline` measures the
Pipeline rows and the counters alone (no Inbox, no cold starts, no memory line).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from store.clock import Clock
from store.db import Store
from tests.bench import feel_app, feel_bare, feel_cold
from tests.bench.stats import p50_p95
from tests.bench.workload import CACHE, FULL, NOW, QUICK, VERSION

TABLE_SWAP = "table swap (n)"
# (what the operator does, the app's samples, the bare samples, the target as a ratio of p95s or in ms)
ROWS = [
    ("Pipeline: search + Enter → table", "Pipeline: search + Enter", "Input + table swap", 1.5),
    *((f"Pipeline: sort o → {key}", f"Pipeline: sort o → {key}", TABLE_SWAP, 1.5)
      for key in ("name", "followers", "engagement", "last message")),
    ("Pipeline: next page n", "Pipeline: next page (n)", TABLE_SWAP, 1.5),
    ("Inbox: first open (2)", "Inbox: first open (2)", "mode switch to a list", 1.5),
    ("Inbox: search + Enter → list", "Inbox: search + Enter", "Input + OptionList swap", 1.5),
    ("Inbox: j → timeline", "Inbox: j → timeline", "OptionList down → Static", 1.5),
    ("counters of one campaign (direct call)", "counters of one campaign", "bare count(*)", "20 ms"),
    ("cold start → first rows painted", "cold app", "cold bare", 1.5),
]


@dataclass
class Row:
    what: str
    p50_ms: float
    p95_ms: float
    bare_p50_ms: float
    bare_p95_ms: float
    ratio_p95: float
    target: str
    met: bool
    samples: int


def summarise(what: str, app: list[float], bare: list[float], target: float | str) -> Row:
    (p50, p95), (bare50, bare95) = p50_p95(app), p50_p95(bare)
    ratio = p95 / bare95
    if isinstance(target, str):
        met, text = p95 * 1000 <= float(target.split()[0]), f"p95 ≤ {target}"
    else:
        met, text = ratio <= target, f"p95 ≤ {target}× bare"
    return Row(what, p50 * 1000, p95 * 1000, bare50 * 1000, bare95 * 1000, ratio, text, met, len(app))


def workload(quick: bool) -> Path:
    """The cached workload (built in a child process, so its memory is not this session's), copied."""
    subprocess.run([sys.executable, "-m", "tests.bench.workload", *(["--quick"] if quick else [])],
                   check=True, cwd=feel_cold.ROOT, stdout=subprocess.DEVNULL)
    source = CACHE / f"feel-v{VERSION}-{'quick' if quick else 'full'}.db"
    # One copy per checkout, so benchmarks run from two worktrees at once do not share a file.
    copy = CACHE / f"feel-run-{feel_cold.ROOT.name}.db"
    for leftover in CACHE.glob(f"{copy.name}*"):
        leftover.unlink()
    shutil.copyfile(source, copy)  # the app may write (its dispatcher); the cached file stays as built
    return copy


def say(step: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {step}", file=sys.stderr, flush=True)


async def session(db: Path, samples: int, only: str | None = None) -> dict[str, list[float]]:
    """Every in-process measurement (or `only` one area's): bare, the app, bare again; then the counters."""
    store = Store(db, Clock.fixed(NOW), actor="bench")
    found: dict[str, list[float]] = {}
    say("bare apps…")
    before = await feel_bare.measure(store, samples)
    if only in (None, "pipeline"):
        say("the app's Pipeline…")
        found |= await feel_app.pipeline(store, samples)
    if only in (None, "inbox"):
        say("the app's Inbox…")
        found |= await feel_app.inbox(store, samples)
    say("bare apps again…")
    after = await feel_bare.measure(store, samples)
    found |= {name: before[name] + after[name] for name in before}
    if only in (None, "pipeline"):
        found |= feel_app.counters_calls(store, samples)
    store.close()
    return found


def table(rows: list[Row], memory: tuple[float, float] | None, loads: tuple[tuple, tuple], note: str) -> str:
    lines = [f"{'what':<40} {'p50':>8} {'p95':>8} {'bare p50':>9} {'bare p95':>9} {'ratio p95':>9}  target",
             "-" * 110]
    for row in rows:
        lines.append(f"{row.what:<40} {row.p50_ms:8.1f} {row.p95_ms:8.1f} {row.bare_p50_ms:9.1f} "
                     f"{row.bare_p95_ms:9.1f} {row.ratio_p95:8.2f}x  {row.target}"
                     f"{'' if row.met else '  MISSED'}  (n={row.samples})")
    if memory is not None:
        app_mb, bare_mb = memory
        lines.append(f"{'peak memory, whole session (MB)':<40} {app_mb:8.0f} {'':>8} {bare_mb:9.0f} {'':>9} "
                     f"{app_mb / bare_mb:8.2f}x  ≤ 300 MB{'' if app_mb <= 300 else '  MISSED'}")
    lines.append("-" * 110)
    lines.append("times in ms; painted = the first frame (post_display_hook, then call_after_refresh) "
                 "showing the new data, composed headless under run_test")
    lines.append(note)
    lines.append(f"load average (1, 5, 15 min): start {loads[0]}, end {loads[1]}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the workload, 5 samples")
    parser.add_argument("--samples", type=int, help="samples per row (default 30, 5 with --quick)")
    parser.add_argument("--json", type=Path, default=CACHE / "feel.json", help="where to write the JSON")
    parser.add_argument("--only", choices=("inbox", "pipeline"),
                        help="only one area's rows (inbox: the Inbox and the cold start)")
    args = parser.parse_args()
    samples = args.samples or (5 if args.quick else 30)
    start_load = tuple(round(x, 2) for x in os.getloadavg())
    db = workload(args.quick)
    found = asyncio.run(session(db, samples, args.only))
    session_kib = feel_cold.peak_kib()
    say("cold starts…")
    cold = feel_cold.cold_starts(db, NOW, samples)
    found |= {"cold app": cold["app"], "cold bare": cold["bare"]}
    rows = [summarise(what, found[app], found[bare], target) for what, app, bare, target in ROWS
            if app in found]
    memory = (session_kib / 1024, max(cold["bare memory"]) / 1024)
    loads = (start_load, tuple(round(x, 2) for x in os.getloadavg()))
    size = QUICK if args.quick else FULL
    note = (f"workload v{VERSION}: {size.influencers:,} influencers, {size.messages:,} messages, "
            f"{size.first_campaign + size.other_applications:,} applications ({size.first_campaign:,} in "
            f"the campaign shown first), {size.planned:,} planned invitations; cold start = whole "
            "processes, app and bare alternating, spawn → first rows painted headless; "
            "memory = peak RSS (VmHWM) of this process (app) and of the bare cold-start child")
    print(table(rows, memory, loads, note))
    args.json.write_text(json.dumps({"rows": [asdict(row) for row in rows],
                                     "memory_mb": memory and {"app": memory[0], "bare": memory[1]},
                                     "load_average": {"start": loads[0], "end": loads[1]},
                                     "note": note, "samples_ms": {k: [x * 1000 for x in v]
                                                                  for k, v in found.items()}},
                                    indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"JSON: {args.json}")


if __name__ == "__main__":
    main()
