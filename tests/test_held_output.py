"""What would be printed just before the app is printed after it: lines in order, warnings on stderr."""

from __future__ import annotations

import warnings

import pytest

from tui.held_output import HeldLines, warnings_after_the_app


def test_held_lines_come_out_once_in_order_and_at_once_when_no_app_follows() -> None:
    printed: list[str] = []
    held = HeldLines(printed.append)
    held.say("Demo workspace …")
    held.say("Casting page for …")
    assert printed == []
    held.release()
    held.release()
    assert printed == ["Demo workspace …", "Casting page for …"]
    direct = HeldLines(printed.append, hold=False)
    direct.say("now")
    assert printed[-1] == "now"


def test_a_warning_raised_while_the_app_runs_is_printed_after_it(capsys: pytest.CaptureFixture[str]) -> None:
    with warnings_after_the_app():
        warnings.warn("the sky is falling", UserWarning, stacklevel=1)
        assert capsys.readouterr().err == ""  # nothing under the app
    assert capsys.readouterr().err == "warning: the sky is falling\n"
