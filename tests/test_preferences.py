"""The theme chosen in the app is remembered across runs; a broken preferences file is ignored."""

from __future__ import annotations

import json
import stat
from itertools import count
from pathlib import Path

from tests.app_helpers import demo_app
from tests.pilot_helpers import until
from tui.preferences import preferences_path

RUNS = count()


async def _theme_of_a_new_run(folder: Path, choose: str | None = None) -> str:
    app = demo_app(folder / f"demo{next(RUNS)}.db")  # each run its own workspace: the theme is per login
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        if choose:
            app.theme = choose  # what the palette's "Change theme" picker does
            await until(pilot, lambda: preferences_path().exists())
        return app.theme


async def test_the_chosen_theme_opens_the_next_run(tmp_path: Path) -> None:
    default = await _theme_of_a_new_run(tmp_path)
    assert default == "textual-dark" and not preferences_path().exists()
    assert await _theme_of_a_new_run(tmp_path, choose="nord") == "nord"
    assert json.loads(preferences_path().read_text()) == {"theme": "nord"}
    assert stat.S_IMODE(preferences_path().stat().st_mode) == 0o600
    assert await _theme_of_a_new_run(tmp_path) == "nord"


async def test_a_broken_or_unknown_preference_means_the_default(tmp_path: Path) -> None:
    preferences_path().parent.mkdir(parents=True, exist_ok=True)
    for text in ("{not json", '["nord"]', '{"theme": "no-such-theme"}', '{"theme": 7}', "\xff\xfe"):
        preferences_path().write_text(text, encoding="latin-1")
        assert await _theme_of_a_new_run(tmp_path) == "textual-dark"
