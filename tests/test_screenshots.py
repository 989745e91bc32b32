"""The README's screenshots are the app as it is: exported again, they come out byte for byte the same."""

from __future__ import annotations

from pathlib import Path

from tests import screenshots
from tests.readme_sections import README


def test_the_readme_shows_every_exported_screenshot() -> None:
    for mode in screenshots.MODES:
        assert f"](docs/{mode}.svg)" in README, mode
        assert (screenshots.DOCS / f"{mode}.svg").is_file(), mode


def test_the_committed_screenshots_are_what_the_app_exports_now(tmp_path: Path) -> None:
    for written in screenshots.export(tmp_path):
        committed = screenshots.DOCS / written.name
        assert written.read_bytes() == committed.read_bytes(), (
            f"docs/{written.name} is out of date: run `uv run python -m tests.screenshots`")
