"""The one neutraliser for text that came from outside: nothing it returns can drive a terminal.

Mail bodies, names, notes and file contents may hold ESC sequences (a title change, a screen
clear, OSC 52 writing the clipboard), C1 controls that some terminals read as ESC, or bidi
overrides that make text read differently from what it is. Every stored string shown by the
app or printed by the command line passes through `visible()`: such characters come out as
visible escapes (`\\x1b`, `\\u202e`), never raw, and the rest of the text is untouched.
"""

from __future__ import annotations

import json
import re
from typing import Any

# C0 controls, DEL, C1 controls, bidi embeddings/overrides (U+202A-U+202E) and isolates
# (U+2066-U+2069), and the line/paragraph separators a terminal may treat as a newline.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_UNSAFE_KEEP_LINES = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: object, *, lines: bool = False) -> str:
    """`text` with every control and bidi character shown as an escape.

    With `lines`, newline and tab are kept (a message body); `\\r\\n` and lone `\\r` become `\\n`.
    """
    if text is None:
        return ""
    value = text if isinstance(text, str) else str(text)
    if lines:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
        return _UNSAFE_KEEP_LINES.sub(_escape, value)
    return _UNSAFE.sub(_escape, value)


def is_visible(text: str, *, lines: bool = False) -> bool:
    """True when `text` holds nothing `visible()` would escape."""
    pattern = _UNSAFE_KEEP_LINES if lines else _UNSAFE
    return pattern.search(text) is None


_JSON_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def json_text(payload: Any, *, indent: int | None = 2) -> str:
    """JSON that keeps readable non-ASCII but escapes, as JSON does, every character a terminal acts on.

    `json.dumps(ensure_ascii=False)` escapes C0 controls only; C1 controls, DEL and bidi
    characters would reach the terminal raw, so they are written as `\\uXXXX` too.
    """
    raw = json.dumps(payload, indent=indent, ensure_ascii=False, default=str)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", raw)
