"""Cold start as whole processes: spawn → first rows painted, the app and a bare Textual app alternating.

Each child is a fresh interpreter that runs its app headless under `run_test` (the frame is composed,
not written to a terminal) and prints one line when its post-display hook sees the first rows on a
painted frame, then exits at once. The app's child starts the way `callsheet` does: it imports the
entry point's module `tui.cli` (with every command module it loads) and opens the store through the
CLI's context. The bare child shows a header, a footer and an empty DataTable.

    python -m tests.bench.feel_cold app DB | bare
"""

from __future__ import annotations

import asyncio
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def peak_kib() -> int:
    """This process's peak resident size in KiB: VmHWM, which (unlike ru_maxrss) restarts at exec."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _child(which: str, db: str) -> None:
    from textual.app import App, ComposeResult
    from textual.widgets import DataTable, Footer, Header

    class BareStart(App[None]):
        def compose(self) -> ComposeResult:
            yield Header()
            yield DataTable()
            yield Footer()

    if which == "app":
        import tui.cli  # noqa: F401  the `callsheet` entry point and its imports
        from tui.app import make_app
        from tui.context import CliContext

        app: App[None] = make_app(CliContext.named(Path(db)).store)
    else:
        app = BareStart()

    def ready() -> bool:
        tables = app.screen.query(DataTable)
        return bool(tables) and (which == "bare" or tables.first().row_count > 0)

    def report() -> None:
        print(f"painted {peak_kib()}", flush=True)
        os._exit(0)

    def displayed() -> None:
        if ready() and not getattr(app, "_bench_reported", False):
            app._bench_reported = True  # type: ignore[attr-defined]
            app.screen.call_after_refresh(report)

    app.post_display_hook = displayed  # type: ignore[method-assign]

    async def run() -> None:
        async with app.run_test(size=(120, 40)):
            await asyncio.sleep(120)
        print("never painted", flush=True)

    asyncio.run(run())


def once(which: str, db: Path, now: str) -> tuple[float, int]:
    """(seconds from spawn to the child's line, the child's peak RSS in KiB)."""
    env = {**os.environ, "CALLSHEET_NOW": now, "CALLSHEET_DB": str(db)}
    # As installed, both start from compiled bytecode: a shell that forbids writing it would have
    # each child compile callsheet's own modules from source (the warm-up round writes them).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "tests.bench.feel_cold", which, str(db)], cwd=ROOT,
                             env=env, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    line = child.stdout.readline()
    elapsed = time.perf_counter() - start
    child.wait()
    if not line.startswith("painted"):
        raise RuntimeError(f"{which} child: {line!r}")
    return elapsed, int(line.split()[1])


def cold_starts(db: Path, now: str, rounds: int) -> dict[str, list[float]]:
    """A then B, `rounds` times; also each side's peak RSS (KiB) as `… memory`."""
    found: dict[str, list[float]] = {"app": [], "bare": [], "app memory": [], "bare memory": []}
    for which in ("app", "bare"):
        once(which, db, now)  # warm-up, not counted: bytecode written, files in the page cache
    for _ in range(rounds):
        for which in ("app", "bare"):
            elapsed, rss = once(which, db, now)
            found[which].append(elapsed)
            found[f"{which} memory"].append(rss)
    return found


if __name__ == "__main__":
    _child(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "")
