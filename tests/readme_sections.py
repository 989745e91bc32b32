"""The README read by its headings, for the tests that hold its sections to the app."""

from __future__ import annotations

import re
from pathlib import Path

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")

_HEADING = re.compile(r"^(#{1,6}) (.+)$", re.M)


def section(text: str, title: str) -> str:
    """The text under the heading `title` up to the next heading of its level or above."""
    found = [m for m in _HEADING.finditer(_outside_code(text)) if m.group(2).strip() == title]
    assert len(found) == 1, f"the README needs exactly one heading {title!r}"
    heading = found[0]
    level = len(heading.group(1))
    end = len(text)
    for later in _HEADING.finditer(_outside_code(text), heading.end()):
        if len(later.group(1)) <= level:
            end = later.start()
            break
    return text[heading.end():end]


def subsections(text: str, level: int) -> dict[str, str]:
    """The headings of exactly `level` within `text`, each with its own text."""
    marks = [m for m in _HEADING.finditer(_outside_code(text)) if len(m.group(1)) == level]
    return {m.group(2).strip(): section(text[m.start():], m.group(2).strip()) for m in marks}


def _outside_code(text: str) -> str:
    """The text with fenced code blanked (same length), so a `# comment` there is no heading."""
    return re.sub(r"```.*?```", lambda m: re.sub(r"[^\n]", " ", m.group(0)), text, flags=re.S)
