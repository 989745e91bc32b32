"""The compose dialog at 80×24: every hint whole (wrapped, never cut mid-word), its keys visible."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from store.db import Store
from tests.display_helpers import screen_text
from tests.inbox_helpers import add_campaign, add_influencer, send
from tests.pilot_helpers import until
from tui.app import make_app
from tui.screens.compose_modal import ComposeModal
from tui.widgets.conversation_list import ConversationList


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_compose_shows_its_template_hint_whole_and_its_keys(store: Store,
                                                                  size: tuple[int, int]) -> None:
    campaign = add_campaign(store, "spring26")
    send(store, add_influencer(store, "ana"), campaign_id=campaign)
    app = make_app(store)
    async with app.run_test(size=size) as pilot:
        await pilot.press("2")
        await until(pilot, lambda: len(app.screen.query_one(ConversationList).rows) == 1)
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, ComposeModal)
                    and bool(app.screen.query("#compose-template SelectCurrent #label")))
        await pilot.pause()
        words = " ".join(screen_text(app).replace("│", " ").split())
        assert "{{ firstName }}, {{ campaign.name }}… are filled in per recipient" in words, words
        assert "ctrl+s preview and queue · esc cancel" in words, words


async def test_the_file_size_line_takes_a_row_only_when_a_file_is_named(store: Store, tmp_path: Path) -> None:
    campaign = add_campaign(store, "spring26")
    send(store, add_influencer(store, "ana"), campaign_id=campaign)
    brief = tmp_path / "brief.pdf"
    brief.write_bytes(b"%PDF" * 300)
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("2")
        await until(pilot, lambda: len(app.screen.query_one(ConversationList).rows) == 1)
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, ComposeModal))
        modal = app.screen
        await pilot.pause()
        size, body = modal.query_one("#compose-attach-size"), modal.query_one("#compose-body")
        roomy = body.region.height
        assert not size.display and roomy >= 5  # the row of an empty size line goes to the body
        modal.query_one("#compose-attach", Input).value = str(brief)
        await until(pilot, lambda: size.display and "brief.pdf" in str(size.render()))
        await pilot.pause()
        assert body.region.height == roomy - 1
