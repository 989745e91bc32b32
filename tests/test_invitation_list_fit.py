"""Moderation's list never cuts a handle silently: one longer than its column ends in `…`."""

from __future__ import annotations

from tui.widgets.invitation_list import HANDLE_WIDTH, _fitted


def test_a_long_handle_ends_in_an_ellipsis_and_a_short_one_is_whole() -> None:
    assert _fitted("mia.rossi278", HANDLE_WIDTH) == "mia.rossi278"
    assert _fitted("a" * HANDLE_WIDTH, HANDLE_WIDTH) == "a" * HANDLE_WIDTH
    cut = _fitted("averyveryverylonghandle.indeed", HANDLE_WIDTH)
    assert cut == "averyveryverylongha…" and len(cut) == HANDLE_WIDTH
    assert _fitted("日本語のハンドルです長い", 10) == "日本語の…"  # wide letters count two cells
