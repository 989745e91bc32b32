"""The demo's mail that went wrong, so the Inbox's bounce inspector (`!`) and stray mail (`u`) show something.

One hard bounce of a demo invitation and one mail from a stranger, written as raw mail and stored as
a sync stores what it fetches (`mailer.imap.parse`, then `store.inbound.save`): the report suppresses
the person it quotes, the stranger's mail is kept aside, matched to nobody. Dated from the demo's clock.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from email.utils import format_datetime

from mailer.imap.parse import parse
from store import inbound
from store.clock import from_iso, iso
from store.database import Database
from store.demo_data import bounce_target

MTA = "mx.mail.example"  # where the demo's influencers have their mailboxes
STRANGER = "Jordan Reyes <jordan@reyes-talent.example>"


def _crlf(text: str) -> bytes:
    return text.replace("\n", "\r\n").encode("utf-8")


def delivery_report(invitation: dict, at: datetime) -> bytes:
    """A delivery status notification (RFC 3464) as Postfix writes one: `invitation`'s mailbox is gone."""
    to = invitation["to_addr"]
    return _crlf(f"""From: MAILER-DAEMON@{MTA} (Mail Delivery System)
To: {invitation['from_addr']}
Subject: Undelivered Mail Returned to Sender
Date: {format_datetime(at)}
Message-ID: <dsn-{invitation['id']}@{MTA}>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="REPORT"

--REPORT
Content-Type: text/plain; charset=us-ascii

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

<{to}>: host {MTA} said: 550 5.1.1 User unknown

--REPORT
Content-Type: message/delivery-status

Reporting-MTA: dns; {MTA}
Arrival-Date: {format_datetime(at)}

Final-Recipient: rfc822; {to}
Original-Recipient: rfc822;{to}
Action: failed
Status: 5.1.1
Remote-MTA: dns; {MTA}
Diagnostic-Code: smtp; 550 5.1.1 <{to}>: Recipient address rejected: User unknown

--REPORT
Content-Type: text/rfc822-headers

From: {invitation['from_addr']}
To: {to}
Subject: {invitation['subject']}
Message-ID: {invitation['message_id']}

--REPORT--
""")


def stray_mail(to_addr: str, at: datetime) -> bytes:
    """A talent agent writing to a campaign's address out of the blue: nobody the demo knows."""
    return _crlf(f"""From: {STRANGER}
To: {to_addr}
Subject: Two of my creators for your serum launch?
Date: {format_datetime(at)}
Message-ID: <stray-1@reyes-talent.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Hello, I represent two skincare creators who would love to take part in your launch.
Could you send me the brief and the fees? Their media kits are on our site.

Jordan Reyes, Reyes Talent
""")


def record(db: Database, now: datetime, actor: str) -> int:
    """Store the bounce and the stray mail, as synced at `now`; how many messages that made."""
    invitation = bounce_target(db)
    if invitation is None:  # nobody invited: nothing to bounce, and no campaign address to write to
        return 0
    stamp, bounced_at = iso(now), from_iso(invitation["sent_at"]) + timedelta(minutes=2)
    return (_save(db, delivery_report(invitation, bounced_at), stamp, actor)
            + _save(db, stray_mail(invitation["from_addr"], now - timedelta(hours=3)), stamp, actor))


def _save(db: Database, raw: bytes, now: str, actor: str) -> int:
    return int(inbound.save(db, parse(raw), now=now, actor=actor).row_id is not None)
