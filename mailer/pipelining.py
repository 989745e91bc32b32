"""One message over a server that offers PIPELINING (RFC 2920): two round trips instead of four.

MAIL, RCPT and DATA go out in one write and their three replies are read together; then
the content, and its reply. aiosmtplib (5.1.3) cannot read pipelined replies: it parses
one reply per read and drops bytes that arrive while a parsed reply waits to be picked up.
So for the length of one exchange the connection's transport is lent to a small reader of
our own (`transport.set_protocol`), then handed back; aiosmtplib keeps the session (connect,
TLS, EHLO, AUTH, RSET, QUIT) and its exception types describe every failure here too.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable

import aiosmtplib
from aiosmtplib import (
    SMTPDataError,
    SMTPReadTimeoutError,
    SMTPRecipientRefused,
    SMTPResponse,
    SMTPResponseException,
    SMTPSenderRefused,
    SMTPServerDisconnected,
)
from aiosmtplib.protocol import PERIOD_REGEX, normalize_message_line_endings

# aiosmtplib's own limit on one reply.
MAX_REPLY = 8192 * 4


class Progress:
    """How far one exchange got: the stage a failure is charged to."""

    def __init__(self) -> None:
        self.stage = "connect"


class DataAborted(Exception):
    """The previous result could not be recorded; the session is in DATA mode and must be dropped."""


class ReplyReader(asyncio.Protocol):
    """Holds the transport for one exchange and parses every reply that arrives, however split."""

    def __init__(self, previous: asyncio.BaseProtocol) -> None:
        self.previous = previous
        self.buffer = bytearray()
        self.replies: deque[SMTPResponse] = deque()
        self.failure: BaseException | None = None
        self.waiter: asyncio.Future[None] | None = None

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        try:
            while (reply := _parse(self.buffer)) is not None:
                self.replies.append(reply)
        except SMTPResponseException as error:
            self.failure = error
        self._wake()

    def eof_received(self) -> bool:
        self.failure = self.failure or SMTPServerDisconnected("Unexpected EOF received")
        self._wake()
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self.failure = self.failure or SMTPServerDisconnected("Connection lost")
        self._wake()
        # aiosmtplib learns of the loss too, so its client knows it is closed.
        self.previous.connection_lost(exc)

    def pause_writing(self) -> None:
        self.previous.pause_writing()

    def resume_writing(self) -> None:
        self.previous.resume_writing()

    def _wake(self) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)

    async def reply(self, timeout: float) -> SMTPResponse:
        """The next reply, in order; raises when the server hangs up or is slower than `timeout`."""
        while not self.replies:
            if self.failure is not None:
                raise self.failure
            self.waiter = asyncio.get_running_loop().create_future()
            try:
                async with asyncio.timeout(timeout):
                    await self.waiter
            except TimeoutError:
                raise SMTPReadTimeoutError("Timed out waiting for server response") from None
            finally:
                self.waiter = None
        return self.replies.popleft()


def _parse(buffer: bytearray) -> SMTPResponse | None:
    """Take one whole reply (possibly multi-line) off the front of `buffer`, or None if incomplete."""
    offset = 0
    lines: list[bytes] = []
    while (end := buffer.find(b"\n", offset)) != -1:
        line = bytes(buffer[offset:end + 1])
        offset = end + 1
        try:
            code = int(line[:3])
        except ValueError:
            raise SMTPResponseException(-1, f"Malformed SMTP response line: {line!r}") from None
        lines.append(line[4:].strip(b" \t\r\n"))
        if line[3:4] != b"-":
            del buffer[:offset]
            return SMTPResponse(code, b"\n".join(lines).decode("utf-8", "surrogateescape"))
    if len(buffer) > MAX_REPLY:
        raise SMTPResponseException(-1, "Response too long")
    return None


def wire_data(raw: bytes) -> bytes:
    """The content as it travels after 354: CRLF line ends, leading dots doubled, the final dot."""
    return PERIOD_REGEX.sub(b"..", normalize_message_line_endings(raw)) + b".\r\n"


async def send_pipelined(client: aiosmtplib.SMTP, sender: str, recipient: str, raw: bytes,
                         before_data: Callable[[], Awaitable[bool]] | None, progress: Progress,
                         timeout: float) -> SMTPResponse:
    """MAIL + RCPT + DATA in one write, then the content; returns the reply to the content.

    Refusals raise aiosmtplib's SMTPSenderRefused, SMTPRecipientRefused or SMTPDataError
    with the session left ready for RSET; `before_data` returning False raises DataAborted.
    """
    protocol = client.protocol
    transport = protocol.transport if protocol is not None else None
    if transport is None or transport.is_closing():
        raise SMTPServerDisconnected("Connection lost")
    size = f" SIZE={len(raw)}" if client.supports_extension("size") else ""
    reader = ReplyReader(transport.get_protocol())
    transport.set_protocol(reader)
    try:
        transport.write(f"MAIL FROM:<{sender}>{size}\r\nRCPT TO:<{recipient}>\r\nDATA\r\n".encode())
        progress.stage = "mail"
        mail = await reader.reply(timeout)
        progress.stage = "rcpt"
        rcpt = await reader.reply(timeout)
        progress.stage = "data"
        start = await reader.reply(timeout)
        await _refused(reader, transport, progress, sender, recipient, (mail, rcpt, start), timeout)
        if before_data is not None and not await before_data():
            raise DataAborted()
        transport.write(wire_data(raw))
        done = await reader.reply(timeout)
    finally:
        transport.set_protocol(reader.previous)
    if done.code != 250:
        raise SMTPDataError(done.code, done.message)
    return done


async def _refused(reader: ReplyReader, transport: asyncio.Transport, progress: Progress, sender: str,
                   recipient: str, replies: tuple[SMTPResponse, SMTPResponse, SMTPResponse],
                   timeout: float) -> None:
    """Raise for the first refusal among the three envelope replies (charged to its stage)."""
    mail, rcpt, start = replies
    if mail.code == 250 and rcpt.code in (250, 251) and start.code == 354:
        return
    if start.code == 354:
        # RFC 2920 §3.1: a server that took DATA after a refusal gets an empty message, ended at once.
        transport.write(b".\r\n")
        await reader.reply(timeout)
    if mail.code != 250:
        progress.stage = "mail"
        raise SMTPSenderRefused(mail.code, mail.message, sender)
    if rcpt.code not in (250, 251):
        progress.stage = "rcpt"
        raise SMTPRecipientRefused(rcpt.code, rcpt.message, recipient)
    raise SMTPDataError(start.code, start.message)
