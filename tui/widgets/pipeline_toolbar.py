"""The Pipeline's toolbar: the campaign picker and the stage and source filters.

Three Selects (each a box, a list overlay and their labels, styled on mount) were a tenth of the
cold start, 35 ms, before the first rows could be painted. So the first frame draws three
stand-ins that look like them (the same box, the choice, the arrow), and the Selects replace them
right after that frame is on screen. Until then the toolbar keeps what the screen tells it (the
campaigns, the one chosen) and hands it to the Selects as they are made; a key that moves the
focus to a picker waits for them (`ready`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Select

StageChoices = Sequence[tuple[str, str]]


class StandIn(Widget):
    """A Select as it looks closed: its choice (or its prompt, dimmed) and the arrow at the right."""

    COMPONENT_CLASSES = {"stand-in--arrow"}
    DEFAULT_CSS = """
    StandIn {
        border: tall $border-blurred;
        color: $foreground;
        background: $surface;
        height: 3;
        padding: 0 2;
        &.-prompt {
            color: $foreground 50%;
        }
        .stand-in--arrow {
            color: $foreground 50%;
        }
    }
    """

    def __init__(self, label: str | Text, *, prompt: bool = False, id: str | None = None) -> None:
        super().__init__(id=id, classes="-prompt" if prompt else None)
        self.label = label

    def show(self, label: str | Text, prompt: bool) -> None:
        self.label = label
        self.set_class(prompt, "-prompt")
        self.refresh()

    def render(self) -> Text:
        label = self.label.copy() if isinstance(self.label, Text) else Text(self.label)
        room = max(0, self.content_size.width - 2)  # " ▼" at the right edge, as a Select draws it
        label.truncate(room, overflow="ellipsis", pad=True)
        return Text.assemble(label, " ", ("▼", self.get_component_rich_style("stand-in--arrow")))


class PipelineToolbar(Horizontal):
    """Stand-ins for the first frame, then the Selects `#campaign`, `#stage-filter` and `#source-filter`."""

    def __init__(self, stage_filters: StageChoices, source_filters: StageChoices, *,
                 id: str | None = None) -> None:
        super().__init__(id=id)
        self._stage_filters, self._source_filters = stage_filters, source_filters
        self._campaigns: list[tuple[Text, int]] = []
        self._campaign: int | None = None
        self.ready = asyncio.Event()  # set once the Selects are mounted

    def compose(self) -> ComposeResult:
        yield StandIn("campaign", prompt=True, id="campaign-stand-in")
        yield StandIn(self._stage_filters[0][0], id="stage-filter-stand-in")
        yield StandIn(self._source_filters[0][0], id="source-filter-stand-in")

    def on_mount(self) -> None:
        self.run_worker(self._mount_selects(), group="toolbar")

    async def _mount_selects(self) -> None:
        painted = asyncio.Event()
        self.call_after_refresh(painted.set)  # the first frame, stand-ins and rows, is on screen
        await painted.wait()
        await asyncio.sleep(0)  # and what was waiting for that frame has run
        selects: list[Widget] = [
            Select[int](self._campaigns, id="campaign", prompt="campaign", allow_blank=True,
                        value=Select.NULL if self._campaign is None else self._campaign),
            Select(self._stage_filters, id="stage-filter", value=self._stage_filters[0][1],
                   allow_blank=False),
            Select(self._source_filters, id="source-filter", value=self._source_filters[0][1],
                   allow_blank=False),
        ]
        with self.app.batch_update():  # no frame between the stand-ins going and the Selects coming
            await self.remove_children()
            await self.mount_all(selects)
        self.ready.set()

    def show_campaigns(self, choices: list[tuple[Text, int]], chosen: int | None) -> None:
        """The picker's choices and the campaign shown (None: none chosen)."""
        self._campaigns, self._campaign = choices, chosen
        if not self.ready.is_set():
            label = next((name for name, campaign_id in choices if campaign_id == chosen), None)
            self.query_one("#campaign-stand-in", StandIn).show(label or "campaign", prompt=label is None)
            return
        picker: Select[Any] = self.query_one("#campaign", Select)
        picker.set_options(choices)
        if chosen is not None:
            picker.value = chosen
