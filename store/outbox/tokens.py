"""A message's own token: the random part of its Message-ID, the key of every personal link in it.

A template renders before its message exists, so a personal link (answer, agreement,
unsubscribe, tracked link) is rendered holding `MESSAGE_TOKEN`; `enqueue` swaps in the
token of the Message-ID it has just made, so the stored body is exactly what leaves.
The Message-ID's local part is a uuid4 (122 random bits): never a guessable id.
"""

from __future__ import annotations

from urllib.parse import quote

# What a rendered link holds until its message exists (no template can produce it by accident). As
# long as a real token (32 hex digits), so an invitation measured before it is queued keeps its length.
MESSAGE_TOKEN = "CALLSHEET-MESSAGE-TOKEN-32-CHARS"


def message_token(message_id: str) -> str:
    """The part of the Message-ID that names this message in its links."""
    return quote(message_id.strip("<>").partition("@")[0], safe="")


def fill(text: str | None, message_id: str) -> str | None:
    """`text` with every placeholder replaced by the token of `message_id`."""
    if not text or MESSAGE_TOKEN not in text:
        return text
    return text.replace(MESSAGE_TOKEN, message_token(message_id))
