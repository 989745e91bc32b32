"""Persistent aiosmtplib connections: one per worker, reused for many messages.

Each send is MAIL, RCPT, DATA done by hand (not `sendmail`) so a failure carries the
stage it happened at: a drop or timeout during DATA may mean the server has the message.
When the server offers PIPELINING the three go out in one write (mailer/smtp/pipelining.py).
Only the stored, validated address is ever given as the envelope recipient.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections.abc import Awaitable, Callable

import aiosmtplib
from aiosmtplib import SMTPResponseException

from mailer.config import SmtpSettings
from mailer.dispatch.limits import ServerDown, ServerGate
from mailer.smtp.classify import SendError
from mailer.smtp.mime import ComposeError
from mailer.smtp.pipelining import DataAborted, EnvelopeAborted, Progress, send_message

MAX_CONNECTION_AGE = 300.0
# The stored form (store/addresses.py): an ASCII dot-atom local part and an ASCII (punycode) domain.
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}@[A-Za-z0-9.-]{1,253}")


class SendAborted(Exception):
    """The message was not handed over: the dispatcher stopped before its data."""


class SmtpConnection:
    """One SMTP session, opened on first use and reopened after a failure or when old."""

    def __init__(self, settings: SmtpSettings, gate: ServerGate) -> None:
        self.settings = settings
        self.gate = gate
        self.client: aiosmtplib.SMTP | None = None
        self.opened_at = 0.0
        self.last_used = 0.0
        self.connects = 0

    def _new_client(self) -> aiosmtplib.SMTP:
        settings = self.settings
        return aiosmtplib.SMTP(
            hostname=settings.host, port=settings.port, local_hostname=settings.helo_name,
            timeout=settings.timeout, use_tls=settings.tls == "tls",
            start_tls=settings.tls == "starttls", username=settings.user,
            password=settings.password.reveal() if settings.password else None,
            cert_bundle=settings.ca_file)

    @property
    def is_open(self) -> bool:
        return self.client is not None and self.client.is_connected

    async def _open(self) -> None:
        client = self._new_client()
        self.connects += 1
        await client.connect()
        self.client = client
        self.opened_at = time.monotonic()

    async def send(self, sender: str, recipient: str, raw: bytes,
                   before_data: Callable[[], Awaitable[bool]] | None = None) -> str:
        """Send one message; returns the server's reply to the data, or raises SendError.

        `before_data` runs between the envelope and the content; when it returns False
        nothing is handed to the server (the envelope is reset, or a pipelined session
        already in DATA mode is dropped) and SendAborted is raised.
        """
        progress = Progress()
        try:
            if self.is_open and time.monotonic() - self.opened_at > MAX_CONNECTION_AGE:
                await self.quit()
            if not self.is_open:
                await self.gate.connect(self._open)
            client = self.client
            assert client is not None
            progress.stage = "mail"
            _check_addresses(sender, recipient)
            if client.is_ehlo_or_helo_needed:
                await client.ehlo()
            pipelined = self.settings.pipelining and client.supports_extension("pipelining")
            response = await send_message(client, sender, recipient, raw, before_data, progress,
                                          self.settings.timeout, pipelined=pipelined)
        except (ServerDown, SendAborted):
            raise
        except DataAborted:
            self.close()
            raise SendAborted() from None
        except EnvelopeAborted:
            await self._reset()
            raise SendAborted() from None
        except SMTPResponseException as error:
            await self._after_reply_error(error, progress.stage)
            raise SendError(error, progress.stage) from None
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
            self.close()
            raise SendError(error, progress.stage) from None
        except ComposeError as error:
            raise SendError(error, progress.stage) from None
        self.last_used = time.monotonic()
        return " ".join(f"{response.code} {response.message}".split())

    async def _after_reply_error(self, error: SMTPResponseException, stage: str) -> None:
        """Keep the session for the next message when the server only refused this one."""
        # 421 closes the session; -1 is a reply that could not be parsed: nothing more can be trusted.
        if error.code in (421, -1) or stage == "connect" or not self.is_open:
            self.close()
            return
        await self._reset()

    async def _reset(self) -> None:
        """RSET, or drop the session if even that fails."""
        try:
            assert self.client is not None
            await self.client.rset()
        except (aiosmtplib.SMTPException, OSError, TimeoutError):
            self.close()

    async def quit(self) -> None:
        """Say goodbye politely (idle or old connections); never raises."""
        client, self.client = self.client, None
        if client is None or not client.is_connected:
            return
        try:
            await asyncio.wait_for(client.quit(), timeout=min(5.0, self.settings.timeout))
        except (aiosmtplib.SMTPException, OSError, TimeoutError):
            client.close()

    def close(self) -> None:
        client, self.client = self.client, None
        if client is not None:
            with contextlib.suppress(Exception):
                client.close()


def _check_addresses(sender: str, recipient: str) -> None:
    """The stored addresses go into the envelope as they are: validated when stored and when
    the bytes were built, and checked once more here, so the stdlib's parser (a tenth of a
    millisecond per address in aiosmtplib) has nothing left to find."""
    for address in (sender, recipient):
        if not _PLAIN_ADDRESS.fullmatch(address):
            raise ComposeError(f"The address {address!r} is not one plain address; not sent.")


class SmtpPool:
    """The connections to one server, sharing its gate."""

    def __init__(self, settings: SmtpSettings, size: int, gate: ServerGate | None = None) -> None:
        self.settings = settings
        self.gate = gate or ServerGate()
        self.connections = [SmtpConnection(settings, self.gate) for _ in range(size)]

    def add_connection(self) -> SmtpConnection:
        """One more connection, for a worker whose own is stuck in a slow exchange."""
        connection = SmtpConnection(self.settings, self.gate)
        self.connections.append(connection)
        return connection

    @property
    def connects(self) -> int:
        return sum(connection.connects for connection in self.connections)

    async def close(self) -> None:
        await asyncio.gather(*(connection.quit() for connection in self.connections))
