"""Small Pipeline-pane widgets that only render the plain data they are given."""

from __future__ import annotations

import json

from rich.markup import escape
from textual.widgets import Static

from store import stages
from tui.visible import visible


def _number(value: float | int | None) -> str:
    if value is None:
        return "–"
    if value >= 1_000_000:
        return f"{value / 1_000_000:.1f}M"
    if value >= 10_000:
        return f"{value / 1000:.0f}k"
    return f"{value:,.0f}"


class CountersBar(Static):
    """The dashboard counters of SPEC §3 on one or two lines."""

    def show(self, numbers: dict | None) -> None:
        if not numbers:
            self.update("No campaign selected.")
            return
        budget = f"{numbers['budget_used_pct']}%" if numbers["budget_used_pct"] is not None else "–"
        last = (numbers.get("last_update") or "")[:16].replace("T", " ")
        self.update(
            f"[b]{numbers['all_candidates']}[/] candidates · [b]{numbers['new_applicants']}[/] new · "
            f"[b]{numbers['in_campaign']}[/] in · [b]{numbers['rejected']}[/] rejected · "
            f"[b]{numbers['invited']}[/] invited · [b]{numbers['applicants']}[/] applied · "
            f"budget [b]{budget}[/] · changed {last}"
            + _state(numbers.get("state", "open"))
        )


def _state(state: str) -> str:
    """The campaign's state after the counters, when it is not simply open."""
    return "" if state == "open" else f"\n[b $warning]{escape(visible(state))}[/]"


def table_row(row: dict, tagged: bool) -> tuple[str, ...]:
    """The cells of one application in the table's column order."""
    engagement = row["engagement_rate"]
    return (
        f"{'●' if tagged else ' '}{row['name'] or row['handle']}",
        f"@{row['handle']}",
        stages.label(row["stage"]),
        row["source"][:3],
        _number(row["followers"]),
        f"{engagement:.1f}" if engagement is not None else "–",
        _number(row["fee"]),
        (row["last_message"] or "")[5:10],
    )


def _tag_list(tags: str | list[str] | None) -> str:
    """Tags as the contact panel shows them (`#beauty #fr`), not as the JSON they are stored in."""
    values = json.loads(tags) if isinstance(tags, str) else (tags or [])
    return " ".join(f"#{tag}" for tag in values) or "–"


class ProfilePanel(Static):
    """The side panel: one influencer's contact data and where their application stands."""

    def show(self, data: dict | None) -> None:
        if not data:
            self.update("")
            return
        flags = [word for word in ("unsubscribed", "bounced") if data.get(word)]
        lines = [
            f"[b]{data['name'] or data['handle']}[/]  @{data['handle']}",
            f"{data['email'] or 'no email'}",
            f"{data['country'] or '–'} · {data['language'] or '–'}",
            f"followers {_number(data['followers'])}",
            f"engagement {data['engagement_rate'] if data['engagement_rate'] is not None else '–'}%",
            f"tags {_tag_list(data['tags'])}",
            "",
            f"stage [b]{stages.label(data['stage'])}[/] ({data['source']})",
            f"fee {_number(data['fee'])}",
            f"agreement {data['agreement_state'] or '–'} {data['agreement_deadline'] or ''}".rstrip(),
            f"decided by {data['decided_by'] or '–'}",
            f"{data['messages']} messages · {data['notes']} notes",
        ]
        if flags:
            lines.append(f"[red]{' and '.join(flags)}: no email[/]")
        self.update("\n".join(lines))
