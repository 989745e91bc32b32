"""Small Pipeline-pane widgets that only render the plain data they are given."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, tzinfo
from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Static

from store import stages
from tui.display import cell, visible_data
from tui.times import operator_zone, shown_time
from tui.visible import visible

if TYPE_CHECKING:
    from store.pipeline_view import ApplicationRow, Profile


def _number(value: float | int | None) -> str:
    if value is None:
        return "–"
    if value >= 1_000_000:
        return f"{value / 1_000_000:.1f}M"
    if value >= 10_000:
        return f"{value / 1000:.0f}k"
    return f"{value:,.0f}"


COUNTER_WORDS = (("all_candidates", "candidates"), ("new_applicants", "new"), ("in_campaign", "in"),
                 ("rejected", "rejected"), ("invited", "invited"), ("applicants", "applied"))


class CountersBar(Static):
    """The dashboard counters of SPEC §3 on one or two lines."""

    _shown: dict | None = None

    def show_loading(self) -> None:
        self._shown = None
        self.update("Loading…")

    def show(self, numbers: dict | None) -> None:
        """The counters, rewritten only when they changed: an update lays the screen out again (the
        bar's height follows its lines), which each page turn and sort paid for the same numbers."""
        if numbers == self._shown and self._shown is not None:
            return
        self._shown = dict(numbers) if numbers else None
        if not numbers:
            self.update("No campaign selected.")
            return
        state = numbers.get("state", "open")
        numbers = visible_data(numbers)
        budget = f"{numbers['budget_used_pct']}%" if numbers["budget_used_pct"] is not None else "–"
        zone = operator_zone(self.app)
        last = shown_time(numbers.get("last_update"), zone)
        text = Text()
        for key, word in COUNTER_WORDS:
            text.append(str(numbers[key]), "bold")
            text.append(f" {word} · ")
        text.append("budget ")
        text.append(budget, "bold")
        text.append(f" · changed {last}")
        notes = [visible(state)] if state != "open" else []  # paused (and why), closed
        if numbers.get("collaborated_at"):
            notes.append(f"collaboration started {shown_time(numbers['collaborated_at'], zone)}")
        if notes:  # on a line of their own
            text.append("\n")
            text.append(" · ".join(notes), "bold yellow")
        self.update(text)


# The stage column is as narrow as most stages; a longer one gets a short form, not a cut.
SHORT_STAGES = {stages.AGREEMENT_SENT: "agr. sent"}


# The cells table_row makes, by column key, in order.
CELL_KEYS = ("name", "handle", "stage", "source", "followers", "engagement", "fee", "last_message")


def table_row(row: ApplicationRow, tagged: bool, widths: Mapping[str, int] | None = None,
              zone: tzinfo = UTC) -> tuple[Text, ...]:
    """The cells of one application in the table's column order, as literal text; with the shown
    columns' `widths` (by key), only those cells, a value too long for its column ending in `…`."""
    engagement = row.engagement_rate
    texts = (
        f"{'●' if tagged else ' '}{row.name or row.handle}",
        f"@{row.handle}",
        SHORT_STAGES.get(row.stage, stages.label(row.stage)),
        row.source[:3],
        _number(row.followers),
        f"{engagement:.1f}" if engagement is not None else "–",
        _number(row.fee),
        shown_time(row.last_message, zone)[5:10],  # MM-DD of the one format, in the operator's zone
    )
    if not widths:
        return tuple(cell(text) for text in texts)
    return tuple(cell(text, widths[key]) for key, text in zip(CELL_KEYS, texts, strict=True) if key in widths)


def _tag_list(tags: tuple[str, ...]) -> str:
    """Tags as the contact panel shows them (`#beauty #fr`)."""
    return " ".join(f"#{visible(tag)}" for tag in tags) or "–"


def _agreement_line(stage: str, state: str | None, deadline: str) -> str | Text:
    """Where the agreement stands; a pending one says by when it must be signed."""
    if not state and stage not in stages.AGREEMENT_STAGES:
        return "agreement –"
    if stage == stages.AGREEMENT_SENT:
        return Text.assemble("agreement sent, sign by ", (deadline or "–", "bold"))
    return f"agreement {state or stages.label(stage)}" + (f" (deadline was {deadline})" if deadline else "")


class ProfilePanel(Static):
    """The side panel: one influencer's contact data and where their application stands."""

    def show(self, data: Profile | None, deadline: str = "") -> None:
        """`deadline` is the agreement's, as the campaign's people read it."""
        if not data:
            self.update("")
            return
        tags = _tag_list(data.tags)
        data = visible_data(data)
        flags = [word for word, flagged in (("unsubscribed", data.unsubscribed), ("bounced", data.bounced))
                 if flagged]
        lines: list[str | Text] = [
            Text.assemble((data.name or data.handle, "bold"), f"  @{data.handle}"),
            f"{data.email or 'no email'}",
            f"{data.country or '–'} · {data.language or '–'}",
            f"followers {_number(data.followers)}",
            f"engagement {data.engagement_rate if data.engagement_rate is not None else '–'}%",
            f"tags {tags}",
            "",
            Text.assemble("stage ", (stages.label(data.stage), "bold"), f" ({data.source})"),
            f"fee {_number(data.fee)}",
            _agreement_line(data.stage, data.agreement_state, visible(deadline)),
            f"decided by {data.decided_by or '–'}",
            f"{data.messages} messages · {data.notes} notes",
        ]
        if flags:
            lines.append(Text(f"{' and '.join(flags)}: no email", style="red"))
        self.update(Text("\n").join(Text(line) if isinstance(line, str) else line for line in lines))
