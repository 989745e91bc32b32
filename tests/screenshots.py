"""The README's screenshots, exported by the app itself: `uv run python -m tests.screenshots [DIR]`.

Each mode of the seeded demo at 120×40, driven with Pilot, saved as SVG into DIR (default
`docs/`). The clock is pinned and the user's settings left out (a temporary XDG home, so a theme
chosen in the palette does not leak in), so the same code makes the same files.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

SIZE = (120, 40)
# The file each mode is saved as, and the key that opens it.
MODES = {"pipeline": "1", "inbox": "2", "moderation": "3", "outbox": "4"}
DOCS = Path(__file__).parent.parent / "docs"


def _pin_environment(home: Path) -> None:
    from tests.app_helpers import PINNED

    os.environ["CALLSHEET_NOW"] = PINNED
    os.environ["CALLSHEET_USER"] = "tester"
    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME"):
        os.environ[name] = str(home / name.lower())
    for name in ("CALLSHEET_DB", "CALLSHEET_SMTP_URL", "CALLSHEET_IMAP_URL"):
        os.environ.pop(name, None)


async def _shoot(mode: str, key: str, work: Path, out: Path) -> Path:
    from tests.app_helpers import demo_app
    from tests.pilot_helpers import settled

    app = demo_app(work / mode / "demo.db")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(key)
        await settled(app)
        await pilot.pause()
        await settled(app)
        return Path(app.save_screenshot(f"{mode}.svg", str(out)))


def export(out: Path = DOCS) -> list[Path]:
    """Write one SVG per mode into `out`; returns the files written."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="callsheet-shots-") as scratch:
        work = Path(scratch)
        _pin_environment(work)
        return [asyncio.run(_shoot(mode, key, work, out)) for mode, key in MODES.items()]


if __name__ == "__main__":
    for written in export(Path(sys.argv[1]) if len(sys.argv) > 1 else DOCS):
        print(written)
