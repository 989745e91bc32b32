"""An aiosmtpd sink in its own process:
`python -m tests.sink_process LOG [--delay-file F] [--pipelining] [--refuse REPLY]`.

It prints its port, then appends the Message-ID of every message it accepts to LOG
(before answering 250). While the delay file exists, each DATA waits a second first.
With --pipelining it offers PIPELINING (aiosmtpd reads pipelined commands in order but
does not say so by itself). With --refuse it answers every RCPT with REPLY (e.g. a 550).
Used where a test kills the dispatcher, and by the benchmark.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import sys

from aiosmtpd.smtp import SMTP, Envelope, Session

_MESSAGE_ID = re.compile(rb"^Message-ID: *(<[^>\r\n]+>)", re.MULTILINE | re.IGNORECASE)


def ehlo_lines(session: Session, hostname: str, responses: list[str], *, pipelining: bool) -> list[str]:
    """aiosmtpd's EHLO reply, with PIPELINING offered when asked (the hook must name the session)."""
    session.host_name = hostname
    if pipelining:
        responses.insert(-1, "250-PIPELINING")
    return responses


class LoggingSink:
    def __init__(self, log_path: str | None, delay_file: str | None, delay: float, pipelining: bool,
                 refuse: str | None = None) -> None:
        self.log = open(log_path, "ab", buffering=0) if log_path else None  # noqa: SIM115
        self.refuse = refuse
        self.delay_file = delay_file
        self.delay = delay
        self.pipelining = pipelining
        self.count = 0

    async def handle_EHLO(self, server: SMTP, session: Session, envelope: Envelope, hostname: str,
                          responses: list[str]) -> list[str]:
        return ehlo_lines(session, hostname, responses, pipelining=self.pipelining)

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str,
                          options: list[str]) -> str:
        if self.refuse:
            return self.refuse
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.delay_file and os.path.exists(self.delay_file):
            await asyncio.sleep(self.delay)
        self.count += 1
        if self.log is not None:
            content = envelope.original_content or envelope.content or b""
            match = _MESSAGE_ID.search(content.split(b"\r\n\r\n", 1)[0])
            self.log.write((match.group(1) if match else b"<none>") + b"\n")
        return "250 2.0.0 Accepted"


async def serve(sink: LoggingSink) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(sink, hostname="sink.test", timeout=60),
                                      "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    # Runs until its parent closes our stdin (or kills us).
    await loop.run_in_executor(None, sys.stdin.read)
    server.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("log", nargs="?")
    parser.add_argument("--delay-file")
    parser.add_argument("--delay", type=float, default=1.0)
    parser.add_argument("--pipelining", action="store_true")
    parser.add_argument("--refuse")
    options = parser.parse_args()
    asyncio.run(serve(LoggingSink(options.log, options.delay_file, options.delay, options.pipelining,
                                  options.refuse)))


if __name__ == "__main__":
    main()
