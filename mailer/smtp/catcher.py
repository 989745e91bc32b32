"""A local mail catcher (aiosmtpd) for the demo: it accepts everything and keeps it in a Maildir."""

from __future__ import annotations

import mailbox
import socket
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope, Session


class _MaildirHandler:
    def __init__(self, folder: Path) -> None:
        self.box = mailbox.Maildir(folder, create=True)
        self.count = 0

    async def handle_DATA(self, server: object, session: Session, envelope: Envelope) -> str:
        self.box.add(envelope.original_content or envelope.content or b"")
        self.count += 1
        return "250 2.0.0 Caught by the callsheet demo"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class MailCatcher:
    """An SMTP server on 127.0.0.1 and a free port, running in its own thread."""

    def __init__(self, folder: Path) -> None:
        self.handler = _MaildirHandler(folder)
        self.folder = folder
        self._port = free_port()
        self._controller = Controller(self.handler, hostname="127.0.0.1", port=self._port)

    def start(self) -> MailCatcher:
        self._controller.start()
        return self

    @property
    def port(self) -> int:
        return self._port

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}?tls=none"

    def stop(self) -> None:
        self._controller.stop()
