"""Reply sync: fetch only new mail per folder, store each message once, resume after drops.

Progress is committed per batch together with the folder's last UID, so a broken
connection costs at most the batch in flight, which the next attempt fetches
again; Message-IDs are unique in the store, so fetching twice never stores twice.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

from mailer import own_addresses
from mailer.config import load_dispatch_settings
from mailer.imap import attachment_parts
from mailer.imap import config as imap_config
from mailer.imap import folders as folder_names
from mailer.imap.client import Fetched, FolderMissing, ImapDropped, ImapError, Mailbox
from mailer.imap.config import ImapSettings
from mailer.imap.parse import parse
from store import attachment_mail, imap_state, inbound, reply_marks
from store.db import Store
from store.inbound import InboundMessage, Saved

BATCH_MESSAGES = 25
BATCH_BYTES = 8_000_000
ATTEMPTS = 3


@dataclass
class SyncReport:
    """What one sync did; `fetched` counts downloads, the rest what was stored."""

    fetched: int = 0
    matched: int = 0
    unmatched: int = 0
    bounces: int = 0
    unverified_bounces: int = 0
    unsubscribes: int = 0
    outgoing: int = 0
    outgoing_skipped: int = 0
    duplicates: int = 0
    malformed: int = 0
    reconnects: int = 0
    auto_replies: int = 0  # of the matched: out-of-office and the like, which are never replies
    attachments_skipped: int = 0  # parts over the [attachments] caps, listed but not kept

    def add(self, other: SyncReport) -> None:
        for name, value in asdict(other).items():
            setattr(self, name, getattr(self, name) + value)

    def count(self, mail: InboundMessage, saved: Saved) -> None:
        self.fetched += 1
        if saved.skipped:
            self.outgoing_skipped += 1
            return
        if saved.duplicate:
            self.duplicates += 1
            return
        if "malformed" in mail.flags:
            self.malformed += 1
        self.attachments_skipped += sum(part.skipped is not None for part in mail.attachments)
        if saved.outgoing:  # ours even when it looks like a delivery report
            self.outgoing += 1
        elif mail.bounce is not None:
            self.bounces += 1
            self.unverified_bounces += saved.unverified
        elif saved.unsubscribe:
            self.unsubscribes += 1
        elif saved.match.influencer_id is None:
            self.unmatched += 1
        else:
            self.matched += 1
            self.auto_replies += saved.kind == reply_marks.AUTO_REPLY_KIND

    def to_json(self) -> dict:
        return asdict(self)


def batches(pending: list[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    """Split (uid, size) pairs into batches bounded by count and bytes."""
    out: list[list[tuple[int, int]]] = []
    current: list[tuple[int, int]] = []
    size = 0
    for uid, length in pending:
        if current and (len(current) >= BATCH_MESSAGES or size + length > BATCH_BYTES):
            out.append(current)
            current, size = [], 0
        current.append((uid, length))
        size += length
    if current:
        out.append(current)
    return out


@dataclass(frozen=True)
class Addresses:
    """What the config says about addresses: where unsubscribe requests go, and which are ours."""

    unsubscribe_to: str | None = None
    own: tuple[str, ...] = ()


NO_ADDRESSES = Addresses()


def _store_batch(store: Store, folder: str, uidvalidity: int, last_uid: int,
                 fetched: list[Fetched], addresses: Addresses) -> SyncReport:
    parsed = [(item, parse(item.raw, truncated=item.truncated)) for item in fetched]
    attachment_parts.store_parts(store, [mail for _, mail in parsed])  # files first, outside the lock
    batch_report = SyncReport()
    with store.write() as db:
        now = store.now_iso()
        for _, mail in parsed:
            saved = inbound.save(db, mail, now=now, actor=store.actor,
                                 unsubscribe_to=addresses.unsubscribe_to, own_addresses=addresses.own)
            attachment_mail.keep_incoming(db, saved.row_id, mail.attachments, now=now)
            batch_report.count(mail, saved)
        imap_state.advance(db, folder, uidvalidity, last_uid)
    return batch_report


def sync_folder(store: Store, mailbox: Mailbox, folder: str, report: SyncReport,
                addresses: Addresses = NO_ADDRESSES) -> None:
    """Store everything new in one folder, counting into `report` batch by batch.

    Raises ImapDropped with every finished batch committed and counted.
    """
    uidvalidity = mailbox.open_folder(folder)
    with store.write() as db:
        last_uid = imap_state.begin(db, folder, uidvalidity)
    fetch_limit = attachment_parts.fetch_limit()
    for batch in batches(mailbox.new_uids(last_uid)):
        fetched = mailbox.fetch(batch, fetch_limit)
        report.add(_store_batch(store, folder, uidvalidity, batch[-1][0], fetched, addresses))


def _sync_with_retries(store: Store, settings: ImapSettings, folder: str, connect: Callable,
                       report: SyncReport, attempts: int, addresses: Addresses) -> None:
    for attempt in range(1, attempts + 1):
        mailbox = None
        try:
            mailbox = connect(settings)
            sync_folder(store, mailbox, folder, report, addresses)
            return
        except ImapDropped as dropped:
            if attempt == attempts:
                raise ImapError(f"The connection to {settings.label} kept dropping ({dropped}); "
                                "what was fetched is kept, run sync again.") from None
            report.reconnects += 1
            time.sleep(0.1 * attempt)  # real time: a pause before reconnecting, not domain time
        finally:
            if mailbox is not None:
                mailbox.close()


def sync(
    store: Store,
    settings: ImapSettings | None = None,
    *,
    connect: Callable[[ImapSettings], Mailbox] = Mailbox,
    attempts: int = ATTEMPTS,
    unsubscribe_to: str | None = None,
) -> SyncReport:
    """Pull new replies from every configured folder (blocking: run it in a thread).

    Mail to `unsubscribe_to` (default: `unsubscribe_mailto` of the config file) is an
    unsubscribe request, as is mail from someone we know whose subject says "unsubscribe";
    mail from our own addresses (the SMTP login among them) is a copy of what we sent.
    A folder the server does not have is one sentence, raised after the others are synced.
    A person's sync checks their right first: `mailer.actions.inbox.sync_mail`.
    """
    settings = settings or imap_config.load()
    addresses = Addresses(unsubscribe_to or load_dispatch_settings().unsubscribe_mailto,
                          own_addresses.configured())
    report = SyncReport()
    missing: list[FolderMissing] = []
    for folder in settings.folders:
        try:
            _sync_with_retries(store, settings, folder, connect, report, attempts, addresses)
        except FolderMissing as absent:  # a typo in one folder must not stop replies in the others
            missing.append(absent)
    with store.write() as db:
        imap_state.record_sync(db, store.now_iso())
    if missing:
        synced = [folder for folder in settings.folders if folder not in {m.folder for m in missing}]
        raise ImapError(folder_names.missing_sentence([m.folder for m in missing], synced,
                                                      missing[0].existing))
    return report
