"""What an import may not do to a stored influencer, checked on every update before anything is written.

An influencer may not end up with more custom variables than the workspace allows
(store/ingest/limits.py), and no stored text may be replaced by its own mojibake
(José García by JosÃ© GarcÃ­a): either refuses the whole file with one sentence.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from store.errors import UserError
from store.ingest import limits
from store.ingest.decoding import is_mojibake_of


@dataclass
class UpdateGuard:
    """Collects the updates that break a rule; `refuse` turns the first into one sentence."""

    file: str
    unit: str
    max_custom: int
    texts: dict[str, int]  # stored text column → its position in the compared values
    custom_at: int
    over: list[tuple[int, str, int]] = field(default_factory=list)
    garbled: list[tuple[int, str, str, str, str]] = field(default_factory=list)

    def check(self, line: int, handle: str, stored: tuple, merged: tuple) -> None:
        """Compare one influencer's stored values with the values the file would give it."""
        for column, at in self.texts.items():
            if stored[at] and merged[at] != stored[at] and is_mojibake_of(merged[at], stored[at]):
                self.garbled.append((line, handle, column, stored[at], merged[at]))
        if merged[self.custom_at] != stored[self.custom_at]:
            before, after = (json.loads(v or "{}") for v in (stored[self.custom_at], merged[self.custom_at]))
            self.garbled += [(line, handle, key, before[key], value) for key, value in after.items()
                             if key in before and is_mojibake_of(value, before[key])]
            if len(after) > self.max_custom:
                self.over.append((line, handle, len(after)))

    def refuse(self) -> None:
        """Raise the sentence for the first broken rule, if any."""
        if self.garbled:
            line, handle, column, before, after = self.garbled[0]
            others = f" (and {len(self.garbled) - 1} more)" if len(self.garbled) > 1 else ""
            raise UserError(f"{self.file} {self.unit} {line} would replace the {column} of {handle}, "
                            f"{before!r}, with {after!r}, the same text with its UTF-8 read as "
                            f"Windows-1252{others}; nothing was imported: save the file as UTF-8.")
        limits.refuse_wide_influencer(self.file, self.unit, self.over, self.max_custom)
