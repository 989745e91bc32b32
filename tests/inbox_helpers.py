"""Seeding conversations for inbox tests: influencers, sent messages and raw replies."""

from __future__ import annotations

from email.utils import format_datetime

from store import campaigns
from store.campaigns import CampaignSpec
from store.clock import from_iso
from store.db import Store
from store.outbox.queueing import enqueue

SENDER = "casting@brand.example"


def add_influencer(store: Store, handle: str, email: str | None = None, **fields) -> int:
    now = store.now_iso()
    row = {"handle": handle, "name": handle.title(), "first_name": handle.title(),
           "email": email if email is not None else f"{handle}@mail.example", "created_at": now,
           "updated_at": now, **fields}
    with store.write() as db:
        cursor = db.conn.execute(
            f"INSERT INTO influencers ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})",
            list(row.values()),
        )
    return int(cursor.lastrowid)


def add_campaign(store: Store, name: str = "spring26") -> int:
    with store.write() as db:
        return campaigns.create(db, CampaignSpec(name=name, sender=SENDER), actor=store.actor,
                                now=store.now_iso()).id


def send(store: Store, influencer_id: int, subject: str = "Our casting call", body: str = "Hello!",
         campaign_id: int | None = None, kind: str = "invitation", status: str = "sent") -> str:
    """An outgoing message as the dispatcher would leave it; returns its Message-ID."""
    with store.write() as db:
        to_addr = db.execute("SELECT email FROM influencers WHERE id = ?", (influencer_id,)).fetchone()[0]
        row, _ = enqueue(db, now=store.now_iso(), kind=kind, to_addr=to_addr, from_addr=SENDER,
                         subject=subject, body=body, influencer_id=influencer_id,
                         campaign_id=campaign_id)
        if status != "queued":
            db.conn.execute("UPDATE messages SET status = ?, sent_at = ? WHERE id = ?",
                            (status, store.now_iso(), row))
        return db.execute("SELECT message_id FROM messages WHERE id = ?", (row,)).fetchone()[0]


def raw_mail(
    sender: str,
    subject: str = "Re: Our casting call",
    body: str = "Yes, I'm in!",
    *,
    message_id: str | None = None,
    in_reply_to: str | None = None,
    references: str | None = None,
    date: str = "2026-11-23T09:00:00+00:00",
    extra: str = "",
) -> bytes:
    """A plain reply as a mail client would write it (CRLF line ends)."""
    headers = [f"From: {sender}", "To: casting@brand.example", f"Subject: {subject}",
               f"Date: {format_datetime(from_iso(date))}"]
    if message_id:
        headers.append(f"Message-ID: {message_id}")
    if in_reply_to:
        headers.append(f"In-Reply-To: {in_reply_to}")
    if references:
        headers.append(f"References: {references}")
    headers += ["MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8"]
    text = "\r\n".join(headers) + ("\r\n" + extra.strip() if extra.strip() else "")
    return (text + "\r\n\r\n" + body.replace("\n", "\r\n") + "\r\n").encode("utf-8")


def dsn_mail(recipient: str, original_message_id: str | None, *, status: str = "5.1.1",
             action: str = "failed", message_id: str = "<dsn-1@mx.example>") -> bytes:
    """A delivery status notification (RFC 3464) as Postfix writes one (None: returned headers
    without a Message-ID)."""
    returned_id = f"Message-ID: {original_message_id}\n" if original_message_id else ""
    text = f"""From: MAILER-DAEMON@mx.example (Mail Delivery System)
To: casting@brand.example
Subject: Undelivered Mail Returned to Sender
Date: Mon, 23 Nov 2026 09:30:00 +0000
Message-ID: {message_id}
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="BOUND"

--BOUND
Content-Type: text/plain; charset=us-ascii

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

<{recipient}>: host mx.example said: 550 5.1.1 User unknown

--BOUND
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example
Arrival-Date: Mon, 23 Nov 2026 09:29:58 +0000

Final-Recipient: rfc822; {recipient}
Original-Recipient: rfc822;{recipient}
Action: {action}
Status: {status}
Remote-MTA: dns; mx.example
Diagnostic-Code: smtp; 550 {status} <{recipient}>: Recipient address rejected:
    User unknown in virtual mailbox table

--BOUND
Content-Type: text/rfc822-headers

From: casting@brand.example
To: {recipient}
Subject: Our casting call
{returned_id}
--BOUND--
"""
    return text.replace("\n", "\r\n").encode()
