"""The right pane: one influencer's history as text, newest at the bottom like a chat."""

from __future__ import annotations

from datetime import UTC, tzinfo

from rich.console import Group
from rich.text import Text
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from tui.display import visible_data
from tui.times import shown_time

BODY_LINES = 12
STATUS_STYLES = {"queued": "yellow", "sending": "yellow", "sent": "green", "deferred": "dark_orange",
                 "failed": "bold red", "skipped": "dim", "planned": "blue"}
MARK_STYLES = {"+": "bold green", "-": "bold red", "0": "dim"}  # a reply's mark, by its sign


def _when(iso_text: str | None, zone: tzinfo) -> str:
    return shown_time(iso_text, zone) if iso_text else "--"


def _message(entry: dict, zone: tzinfo) -> Text:
    incoming = entry["direction"] == "in"
    text = Text()
    text.append("← " if incoming else "→ ", style="bold cyan" if incoming else "bold")
    text.append(f"{_when(entry['at'], zone)}  {entry['kind']}")
    if incoming:
        if not entry["is_read"]:
            text.append("  unread", style="bold cyan")
        text.append(f"  from {entry['from_name'] or entry['from_addr'] or '?'}", style="dim")
        if entry.get("mark"):
            text.append(f"  {entry['mark']}", style=MARK_STYLES.get(entry["mark"][0], "dim"))
    else:
        status = entry["status"] or ""
        text.append(f"  {status}", style=STATUS_STYLES.get(status, ""))
        if status in ("deferred", "failed") and entry["last_smtp_response"]:
            text.append(f"  {entry['last_smtp_response']}", style=STATUS_STYLES[status])
    flags = [f for f in entry["flags"] if f not in ("malformed", entry["kind"])] if entry["flags"] else []
    if flags:
        text.append(f"  [{', '.join(flags)}]", style="magenta")
    text.append(f"\n  {entry['subject'] or '(no subject)'}", style="bold")
    lines = (entry["body"] or "").strip().splitlines()
    for line in lines[:BODY_LINES]:
        text.append(f"\n  {line}")
    if len(lines) > BODY_LINES:
        text.append(f"\n  … {len(lines) - BODY_LINES} more lines", style="dim")
    for item in entry.get("attachments") or ():
        text.append(f"\n  ⎘ {item['label']}", style="dim" if item["skipped"] else "cyan")
    return text


def _other(entry: dict, zone: tzinfo) -> Text:
    mark = "✎ note" if entry["entry"] == "note" else "• " + entry["kind"]
    text = Text(f"{mark}  {_when(entry['at'], zone)}  ", style="dim")
    text.append(entry["subject"] or "", style="italic")
    if entry["actor"]:
        text.append(f"  ({entry['actor']})", style="dim")
    if entry["entry"] == "note" and len(entry["body"]) > len(entry["subject"] or ""):
        text.append(f"\n  {entry['body']}", style="italic")
    return text


def render_entries(entries: list[dict], zone: tzinfo = UTC) -> list[Text]:
    """The entries as text, their times in `zone` (the operator's, which the header names)."""
    parts = []
    for entry in visible_data(entries, lines=("body",)):
        parts += [_message(entry, zone) if entry["entry"] == "message" else _other(entry, zone), Text("")]
    return parts or [Text("No messages yet.", style="dim")]


class TimelineView(VerticalScroll):
    """Scrolls with the usual keys; the latest entry is shown first."""

    BINDINGS = [Binding("j", "scroll_down", show=False), Binding("k", "scroll_up", show=False),
                Binding("g", "scroll_home", show=False), Binding("G", "scroll_end", show=False)]

    plain_text = ""

    def compose(self):
        yield Static(Text("Select a conversation.", style="dim"), id="timeline-body")

    def show(self, entries: list[dict], zone: tzinfo = UTC) -> None:
        parts = render_entries(entries, zone)
        self.plain_text = "\n".join(part.plain for part in parts)
        self.query_one("#timeline-body", Static).update(Group(*parts))
        self.call_after_refresh(self.scroll_end, animate=False)
