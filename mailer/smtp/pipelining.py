"""One message's exchange: MAIL, RCPT, DATA and the content, pipelined (RFC 2920) when offered.

With PIPELINING the three commands go out in one write and their replies are read
together: two round trips per message instead of four. aiosmtplib (5.1.3) cannot read
pipelined replies: it parses one reply per read and drops bytes that arrive while a parsed
reply waits to be picked up. So for the length of one exchange the connection's transport
is lent to a small reader of our own (`transport.set_protocol`), then handed back. The
lockstep exchange uses the same reader, which also spares each reply aiosmtplib's
`wait_for` (an extra turn of the event loop per reply on Python 3.11); aiosmtplib keeps the
session (connect, TLS, EHLO, AUTH, RSET, QUIT) and its exception types describe every
failure here too.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
from typing import cast

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


class EnvelopeAborted(Exception):
    """The previous result could not be recorded; the envelope is open and must be reset."""


class ReplyReader(asyncio.Protocol):
    """Holds the transport for one exchange and parses every reply that arrives, however split.

    Each reply must come within `timeout` of the wait for it. One timer serves the whole
    exchange: it is armed once and, when it fires early, moved to the current deadline
    (an `asyncio.timeout` per reply cost ~10 % of the event loop's time per message).
    """

    def __init__(self, previous: asyncio.BaseProtocol, timeout: float) -> None:
        self.previous = previous
        self.timeout = timeout
        self.loop = asyncio.get_running_loop()
        self.buffer = bytearray()
        self.replies: deque[SMTPResponse] = deque()
        self.failure: BaseException | None = None
        self.waiter: asyncio.Future[None] | None = None
        self.deadline = 0.0
        self.timer: asyncio.TimerHandle | None = None

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        try:
            while self.buffer and (reply := _parse(self.buffer)) is not None:
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

    def _check_deadline(self) -> None:
        self.timer = None
        if self.waiter is None:
            return
        if self.loop.time() < self.deadline:
            self.timer = self.loop.call_at(self.deadline, self._check_deadline)
            return
        self.failure = self.failure or SMTPReadTimeoutError("Timed out waiting for server response")
        self._wake()

    def release(self) -> None:
        """The exchange is over: stop the timer."""
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None

    async def reply(self) -> SMTPResponse:
        """The next reply, in order; raises when the server hangs up or is slower than the timeout."""
        while not self.replies:
            if self.failure is not None:
                raise self.failure
            self.deadline = self.loop.time() + self.timeout
            if self.timer is None:
                self.timer = self.loop.call_at(self.deadline, self._check_deadline)
            self.waiter = self.loop.create_future()
            try:
                await self.waiter
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


EXPECTED = {"mail": (250,), "rcpt": (250, 251), "data": (354,)}


async def send_message(client: aiosmtplib.SMTP, sender: str, recipient: str, raw: bytes,
                       before_data: Callable[[], Awaitable[bool]] | None, progress: Progress,
                       timeout: float, *, pipelined: bool) -> SMTPResponse:
    """MAIL, RCPT, DATA (in one write when `pipelined`), then the content; returns its reply.

    Refusals raise aiosmtplib's SMTPSenderRefused, SMTPRecipientRefused or SMTPDataError
    with the session left ready for RSET. When `before_data` returns False nothing has been
    handed over: lockstep raises EnvelopeAborted (RSET it), pipelined DataAborted (the
    session is in DATA mode: drop it).
    """
    protocol = client.protocol
    # aiosmtplib types it as a BaseTransport; a connected stream (TCP or TLS) is a Transport.
    transport = cast("asyncio.Transport | None", protocol.transport if protocol is not None else None)
    if transport is None or transport.is_closing():
        raise SMTPServerDisconnected("Connection lost")
    size = f" SIZE={len(raw)}" if client.supports_extension("size") else ""
    commands = {"mail": f"MAIL FROM:<{sender}>{size}\r\n".encode(),
                "rcpt": f"RCPT TO:<{recipient}>\r\n".encode(), "data": b"DATA\r\n"}
    reader = ReplyReader(transport.get_protocol(), timeout)
    transport.set_protocol(reader)
    try:
        if pipelined:
            await _pipelined_envelope(reader, transport, commands, progress, sender, recipient)
            if before_data is not None and not await before_data():
                raise DataAborted()
        else:
            for stage in ("mail", "rcpt", "data"):
                if stage == "data" and before_data is not None and not await before_data():
                    raise EnvelopeAborted()
                progress.stage = stage
                transport.write(commands[stage])
                reply = await reader.reply()
                if reply.code not in EXPECTED[stage]:
                    raise _refusal(stage, reply, sender, recipient)
        transport.write(wire_data(raw))
        done = await reader.reply()
    finally:
        reader.release()
        transport.set_protocol(reader.previous)
    if done.code != 250:
        raise SMTPDataError(done.code, done.message)
    return done


async def _pipelined_envelope(reader: ReplyReader, transport: asyncio.Transport, commands: dict[str, bytes],
                              progress: Progress, sender: str, recipient: str) -> None:
    """Send the three commands at once and raise for the first refusal (charged to its stage)."""
    transport.write(b"".join(commands.values()))
    replies = {}
    for stage in commands:
        progress.stage = stage
        replies[stage] = await reader.reply()
    refused = [stage for stage, reply in replies.items() if reply.code not in EXPECTED[stage]]
    if not refused:
        return
    if replies["data"].code == 354:
        # RFC 2920 §3.1: a server that took DATA after a refusal gets an empty message, ended at once.
        transport.write(b".\r\n")
        await reader.reply()
    progress.stage = refused[0]
    raise _refusal(refused[0], replies[refused[0]], sender, recipient)


def _refusal(stage: str, reply: SMTPResponse, sender: str, recipient: str) -> SMTPResponseException:
    if stage == "mail":
        return SMTPSenderRefused(reply.code, reply.message, sender)
    if stage == "rcpt":
        return SMTPRecipientRefused(reply.code, reply.message, recipient)
    return SMTPDataError(reply.code, reply.message)
