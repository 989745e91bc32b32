"""A thin, blocking IMAP client over the standard imaplib, for the sync to run in a thread.

imaplib rather than aioimaplib: it is in the standard library (no new dependency),
the sync fetches one folder at a time in order so async buys nothing, and both
callers (the TUI's thread worker and the daemon via `asyncio.to_thread`) already run
it off their event loop. Sockets carry a timeout so a mute server cannot hang it.
"""

from __future__ import annotations

import contextlib
import imaplib
import re
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar, TypeVarTuple

from mailer.imap import folders
from mailer.imap.config import ImapSettings
from store.errors import UserError

T = TypeVar("T")
Ts = TypeVarTuple("Ts")

MAX_MESSAGE_BYTES = 2_000_000  # larger mail is fetched in part: its text comes first
_UID = re.compile(rb"\bUID (\d+)")
_SIZE = re.compile(rb"\bRFC822\.SIZE (\d+)")
_TIMING = re.compile(r"\s*\(\d+\.\d+(?: \+ \d+\.\d+)* secs\)")  # Dovecot's "(0.002 + 0.000 secs)"


class ImapError(UserError):
    """The server refused something (login, folder, command): not worth retrying."""


class FolderMissing(ImapError):
    """The server has no folder of that name (sync reads the other folders, then says so)."""

    def __init__(self, folder: str, existing: list[str]) -> None:
        super().__init__(f'The IMAP server has no folder "{folder}".')
        self.folder, self.existing = folder, existing


class ImapDropped(Exception):
    """The connection broke or timed out: worth reconnecting and resuming."""


@dataclass(frozen=True)
class Fetched:
    uid: int
    raw: bytes
    truncated: bool


def _quote(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _check(response: tuple[str, list], what: str) -> list:
    status, data = response
    if status != "OK":
        detail = _clean(b" ".join(d for d in data if isinstance(d, bytes)).decode(errors="replace"))
        raise ImapError(f"The IMAP server refused {what}: {detail or status}.")
    return data


class Mailbox:
    """One logged-in IMAP session; every network failure surfaces as `ImapDropped`."""

    def __init__(self, settings: ImapSettings) -> None:
        self.settings = settings
        self._conn = self._guard(self._connect, "connecting")

    def _connect(self) -> imaplib.IMAP4:
        s = self.settings
        conn: imaplib.IMAP4
        if s.tls == "tls":
            conn = imaplib.IMAP4_SSL(s.host, s.port, ssl_context=ssl.create_default_context(),
                                     timeout=s.timeout)
        else:
            conn = imaplib.IMAP4(s.host, s.port, timeout=s.timeout)
            if s.tls == "starttls":
                _check(conn.starttls(ssl_context=ssl.create_default_context()), "STARTTLS")
        try:
            conn.login(s.user, s.password)
        except imaplib.IMAP4.abort:
            conn.shutdown()
            raise
        except imaplib.IMAP4.error as error:
            conn.shutdown()
            raise ImapError(f"The IMAP server refused the login for {s.label}: "
                            f"{_text(error)}.") from None
        return conn

    def _guard(self, call: Callable[[*Ts], T], what: str, *args: *Ts) -> T:
        try:
            return call(*args)
        except ssl.SSLError as error:
            raise ImapError(f"TLS with {self.settings.label} failed while {what}: "
                            f"{error.reason or error}.") from None
        except (imaplib.IMAP4.abort, OSError, EOFError) as error:
            raise ImapDropped(f"{what}: {_text(error)}") from None
        except imaplib.IMAP4.error as error:
            raise ImapError(f"The IMAP server refused {what}: {_text(error)}.") from None

    def open_folder(self, folder: str) -> int:
        """EXAMINE `folder` (read-only: flags stay as they are) and return its UIDVALIDITY."""
        def examine() -> int:
            answer = self._conn.select(_quote(folders.encode(folder)), readonly=True)
            if answer[0] != "OK" and not self._exists(folder):
                raise FolderMissing(folder, self._names())
            _check(answer, f"to open {folder}")
            values = self._conn.untagged_responses.get("UIDVALIDITY") or []
            if not values or not isinstance(values[-1], bytes):
                raise ImapError(f"The IMAP server gave no UIDVALIDITY for {folder}.")
            return int(values[-1])

        return self._guard(examine, f"opening {folder}")

    def _exists(self, folder: str) -> bool:
        _, data = self._conn.list('""', _quote(folders.encode(folder)))
        return any(item for item in data)

    def _names(self) -> list[str]:
        """Every folder the server lists, as a person reads the names (for the sentence)."""
        _, data = self._conn.list('""', "*")
        return [name for item in data if isinstance(item, bytes) and (name := _listed_name(item))]

    def new_uids(self, after_uid: int) -> list[tuple[int, int]]:
        """(uid, size) of every message with a UID above `after_uid`, in UID order.

        `UID FETCH n:*` always answers with the last message even when its UID is
        below n (RFC 3501 §6.4.8), so the result is filtered here.
        """
        def listing() -> list[tuple[int, int]]:
            data = _check(self._conn.uid("FETCH", f"{after_uid + 1}:*", "(UID RFC822.SIZE)"), "FETCH")
            found = {}
            for item in data:
                meta = item[0] if isinstance(item, tuple) else item
                uid, size = _UID.search(meta or b""), _SIZE.search(meta or b"")
                if uid and int(uid.group(1)) > after_uid:
                    found[int(uid.group(1))] = int(size.group(1)) if size else 0
            return sorted(found.items())

        return self._guard(listing, "listing new mail")

    def fetch(self, batch: list[tuple[int, int]], max_bytes: int | None = None) -> list[Fetched]:
        """The raw bytes of a batch of (uid, size), large ones cut at `max_bytes` (default
        MAX_MESSAGE_BYTES; sync allows room for the attachments it keeps)."""
        limit = MAX_MESSAGE_BYTES if max_bytes is None else max_bytes
        whole = [uid for uid, size in batch if size <= limit]
        large = [uid for uid, size in batch if size > limit]
        fetched: list[Fetched] = []
        if whole:
            fetched += self._fetch(whole, "BODY.PEEK[]", truncated=False)
        if large:
            fetched += self._fetch(large, f"BODY.PEEK[]<0.{limit}>", truncated=True)
        return sorted(fetched, key=lambda f: f.uid)

    def _fetch(self, uids: list[int], part: str, truncated: bool) -> list[Fetched]:
        def fetch() -> list[Fetched]:
            data = _check(self._conn.uid("FETCH", ",".join(map(str, uids)), f"(UID {part})"), "FETCH")
            return _bodies(data, truncated)

        return self._guard(fetch, "fetching mail")

    def close(self) -> None:
        with contextlib.suppress(imaplib.IMAP4.error, OSError, EOFError):
            self._conn.logout()


def _bodies(data: list, truncated: bool) -> list[Fetched]:
    """Pair each literal with its UID, which servers may put before or after it."""
    found = []
    for index, item in enumerate(data):
        if not isinstance(item, tuple):
            continue
        uid = _UID.search(item[0])
        if uid is None and index + 1 < len(data) and isinstance(data[index + 1], bytes):
            uid = _UID.search(data[index + 1])
        if uid is not None:
            found.append(Fetched(int(uid.group(1)), item[1], truncated))
    return found


_LISTED = re.compile(rb'^\([^)]*\) (?:"(?:[^"\\]|\\.)"|NIL) (.+)$')


def _listed_name(line: bytes) -> str:
    """The folder name of one LIST answer (`(\\HasNoChildren) "/" "Sent"`), decoded and made printable."""
    found = _LISTED.match(line)
    if found is None:
        return ""
    name = found.group(1).decode(errors="replace")
    if name.startswith('"') and name.endswith('"'):
        name = name[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return re.sub(r"[\x00-\x1f\x7f-\x9f]", "?", folders.decode(name))[:80]


def _clean(text: str) -> str:
    return _TIMING.sub("", text).strip().rstrip(".")


def _text(error: BaseException) -> str:
    value = error.args[0] if error.args else error
    text = value.decode(errors="replace") if isinstance(value, bytes) else str(value)
    return _clean(text) or type(error).__name__
