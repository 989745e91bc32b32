"""Counting words in result sentences: "1 message", "2 messages", never "1 messages"."""

from __future__ import annotations


def plural(count: float, word: str, many: str | None = None) -> str:
    """`count` and `word`, in the plural (`many`, else `word` + "s") unless `count` is one."""
    noun = word if count == 1 else (many or f"{word}s")
    number = f"{count:g}" if isinstance(count, float) else str(count)
    return f"{number} {noun}"
