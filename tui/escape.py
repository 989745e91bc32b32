"""esc, the same in every mode: one step per press, innermost first.

1. In an input with text in it: leave it and keep the filter in force (what was typed but not
   applied is dropped); in an emptied input: clear the filter.
2. From anywhere else but the list (a picker): back to the list, nothing else.
3. On the list with a side panel open: close the panel.
4. On the list with a filter in force: clear it.

A mode screen mixes in `EscapeSteps`, binds `escape` to `escape_step` and says how things stand
(`esc_state`) and how to do each step; the order lives here only.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class EscStep(Enum):
    LEAVE_INPUT = "leave the input, keep the filter"
    CLEAR = "clear the filter"
    BACK = "back to the list"
    CLOSE_PANEL = "close the panel"
    NOTHING = "nothing left"


@dataclass(frozen=True)
class EscState:
    """What esc looks at; `in_force` is a filter (a search, tags picked for an action) now applied."""

    in_input: bool
    typed: bool
    on_list: bool
    panel_open: bool = False
    in_force: bool = False


def esc_step(state: EscState) -> EscStep:
    """The one step this esc takes."""
    if state.in_input:
        return EscStep.LEAVE_INPUT if state.typed else EscStep.CLEAR
    if not state.on_list:
        return EscStep.BACK
    if state.panel_open:
        return EscStep.CLOSE_PANEL
    return EscStep.CLEAR if state.in_force else EscStep.NOTHING


class EscapeSteps:
    """The esc rule for a screen: it supplies the state and the steps; the list takes the focus after each."""

    def esc_state(self) -> EscState:
        raise NotImplementedError

    def esc_leave_input(self) -> None:
        raise NotImplementedError

    def esc_clear(self) -> None:
        raise NotImplementedError

    def esc_close_panel(self) -> None:
        """Screens without a panel never report one open."""

    def esc_focus_list(self) -> None:
        raise NotImplementedError

    def action_escape_step(self) -> None:
        step = esc_step(self.esc_state())
        if step is EscStep.LEAVE_INPUT:
            self.esc_leave_input()
        elif step is EscStep.CLEAR:
            self.esc_clear()
        elif step is EscStep.CLOSE_PANEL:
            self.esc_close_panel()
        self.esc_focus_list()
