"""The one neutraliser: control and bidi characters come out as visible escapes."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tui.visible import is_visible, json_text, visible


@pytest.mark.parametrize(("raw", "shown"), [
    ("hi\x1b]0;pwned\x07\x1b[2J", "hi\\x1b]0;pwned\\x07\\x1b[2J"),
    ("\x9b31m\x9d52;c;aGk=\x9c", "\\x9b31m\\x9d52;c;aGk=\\x9c"),
    ("abc\u202edcba\u2066x\u2069", "abc\\u202edcba\\u2066x\\u2069"),
    ("José García", "José García"),
    ("a\tb\nc", "a\\x09b\\x0ac"),
])
def test_escapes_controls_and_bidi(raw: str, shown: str) -> None:
    assert visible(raw) == shown


def test_lines_keeps_newlines_and_tabs_only() -> None:
    assert visible("a\r\nb\tc\rd\x1b", lines=True) == "a\nb\tc\nd\\x1b"


@given(st.text())
def test_nothing_raw_survives(text: str) -> None:
    assert is_visible(visible(text))
    assert is_visible(visible(text, lines=True), lines=True)


@given(st.text())
def test_json_round_trips_and_escapes(text: str) -> None:
    out = json_text({"v": text})
    assert json.loads(out) == {"v": text}
    assert is_visible(out, lines=True)
