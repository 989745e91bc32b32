"""The Outbox's columns fit the screen at every width from 80 on: nothing scrolled off, nothing cut
but the address, the reply and the campaign (and those end in `…`, see tests/test_outbox_layout.py)."""

from __future__ import annotations

import pytest

from tui.screens.outbox_columns import PAD, SCROLLBAR, outbox_columns

LONG = (123456, "deferred", "sofia.kowalski174@a-very-long-mail-provider.example", "2026-11-24 09:00", 12,
        "451 4.7.1 Greylisted, please try again in 300 seconds (see https://postmaster.example/451)",
        "Trail Running Summer Collection 2027")
SHORT = (7, "queued", "ana@x.example", "2026-11-24 09:00", 0, "", "Glow")


@pytest.mark.parametrize("width", [80, 81, 90, 100, 120, 160, 240])
@pytest.mark.parametrize("title", ["when (UTC)", "when (Europe/Paris)",
                                   "when (America/Argentina/Buenos_Aires)"])
@pytest.mark.parametrize("rows", [[LONG], [SHORT], [LONG, SHORT], []], ids=["long", "short", "both", "none"])
def test_the_columns_fit_and_never_cut_numbers_status_or_time(width, title, rows) -> None:
    columns = outbox_columns(width, title, rows)
    assert sum(column.width + PAD for column in columns) <= width - SCROLLBAR
    shown = {column.index: column for column in columns}
    assert set(shown) >= {0, 1, 2, 3, 4, 5}, "only the campaign may be left out"
    for index in (0, 1, 3, 4):
        assert all(len(str(row[index])) <= shown[index].width for row in rows), shown[index]
    for column in columns:
        assert len(column.title) <= column.width or column.index == 3, column  # a long zone ends in `…`


def test_at_80_the_campaign_gives_way_and_at_120_it_is_back() -> None:
    rows = [SHORT[:2] + ("sofia.kowalski174@mail.example",) + SHORT[3:5] + ("250 2.0.0 Ok: queued as 4F2K",
                                                                            "Trail Running Summer")]
    narrow = {column.title: column.width for column in outbox_columns(80, "when (Europe/Paris)", rows)}
    assert "campaign" not in narrow and narrow["when (Europe/Paris)"] == 19 and narrow["last reply"] >= 10
    wide = {column.title: column.width for column in outbox_columns(120, "when (Europe/Paris)", rows)}
    assert wide["to"] == len("sofia.kowalski174@mail.example"), "the address whole"
    assert wide["last reply"] == len("250 2.0.0 Ok: queued as 4F2K") and wide["campaign"] >= 12
