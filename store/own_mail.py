"""Copies of mail we wrote ourselves: a Sent folder, a Bcc to the team mailbox, a reply from a phone.

Whichever folder it was found in, mail from one of our addresses is outgoing mail already sent,
never a reply or a bounce. It belongs to the influencer of the message it answers, else to the first
of its To and Cc addresses that is an influencer's. One that leads to nobody we know and answers no
mail we hold, or that a machine wrote (our own auto-reply), is not kept: a Sent folder holds all of
an operator's mail, and a database the whole team reads is no place for their mail to a bank or a
colleague (a stranger's mail to us is kept aside instead, since it may be an influencer writing from
a new address).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from store import reply_marks, threads
from store.database import Database
from store.threads import Match

if TYPE_CHECKING:
    from store.inbound import InboundMessage


def is_own(db: Database, mail: InboundMessage, own_addresses: tuple[str, ...]) -> bool:
    """Whether `mail` is from a campaign's sender, an operator, or an address the config names."""
    return threads.is_ours(db, mail.from_addr, own_addresses)


def written_to(db: Database, mail: InboundMessage) -> Match:
    """Whom a copy of our mail was written to: the thread first, then its recipients in order."""
    recipients = mail.recipients or ([mail.to_addr] if mail.to_addr else [])
    return threads.by_recipient(db, in_reply_to=mail.in_reply_to, references=mail.references,
                                recipients=recipients)


def worth_keeping(db: Database, mail: InboundMessage, found: Match) -> bool:
    """Kept when it is someone's or answers mail we hold (a stranger's, kept aside), and a person
    wrote it; a known Message-ID is kept too, as a duplicate.

    Our own auto-replies (Auto-Submitted, e.g. a vacation responder) are not kept: nobody wrote
    to them, so they must not count for *stop if ongoing* nor fill a timeline.
    """
    if _known(db, [mail.message_id]):
        return True
    if reply_marks.AUTO_REPLY_FLAG in mail.flags:
        return False
    thread = [*mail.in_reply_to, *mail.references[-threads.MAX_REFERENCES:]]
    return found.influencer_id is not None or _known(db, thread)


def _known(db: Database, message_ids: list[str]) -> bool:
    if not message_ids:
        return False
    marks = ", ".join("?" for _ in message_ids)
    query = f"SELECT 1 FROM messages WHERE message_id IN ({marks}) LIMIT 1"
    return db.execute(query, message_ids).fetchone() is not None
