"""What the Inbox's workers report back to the screen (past tense, plain data)."""

from __future__ import annotations

from textual.message import Message

from store.contact import InfluencerCard
from store.conversations import ConversationRow


class ConversationsLoaded(Message):
    """A page of the conversation list; `append` for the next page of the same list."""

    def __init__(self, rows: list[ConversationRow], append: bool, more: bool, summary: str) -> None:
        super().__init__()
        self.rows, self.append, self.more, self.summary = rows, append, more, summary


class ConversationsChanged(Message):
    """Something changed the list (read state): load it again."""


class ConversationOpened(Message):
    """The timeline and side panel of one influencer."""

    def __init__(self, influencer_id: int, entries: list[dict], card: InfluencerCard) -> None:
        super().__init__()
        self.influencer_id, self.entries, self.card = influencer_id, entries, card


class ReplyPrepared(Message):
    """What the reply modal starts from: the thread's subject, recipient and the quote."""

    def __init__(self, influencer_id: int, message_row: int, to_line: str, subject: str,
                 quote: str) -> None:
        super().__init__()
        self.influencer_id, self.message_row = influencer_id, message_row
        self.to_line, self.subject, self.quote = to_line, subject, quote
