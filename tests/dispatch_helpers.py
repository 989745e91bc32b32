"""A real aiosmtpd sink in the test's own loop with injectable faults, and outbox seeding."""

from __future__ import annotations

import asyncio
import email
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from email.policy import default
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, Session

from mailer.config import Config, DispatchSettings, SmtpSettings, config_path
from mailer.smtp.mime import build_key, compose
from store.campaigns import CampaignSpec, create
from store.db import Store
from store.outbox.queueing import enqueue
from store.outbox.raw import rows_without_raw, save_raw
from tests.sink_process import ehlo_lines

DataFault = Callable[[Envelope, Any], Awaitable[str | None]]


@dataclass
class Received:
    """One message the sink accepted."""

    rcpt_tos: list[str]
    mail_from: str
    raw: bytes
    at: float

    @property
    def message(self) -> email.message.EmailMessage:
        return email.message_from_bytes(self.raw, policy=default)

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])


@dataclass
class Sink:
    """An aiosmtpd handler recording what it accepted; set `on_rcpt` / `on_data` to inject faults."""

    received: list[Received] = field(default_factory=list)
    connections: int = 0
    on_mail: Callable[[str], str | None] | None = None
    on_rcpt: Callable[[str], str | None] | None = None
    on_data: DataFault | None = None
    port: int = 0
    server: asyncio.AbstractServer | None = None
    password: str | None = None
    logins: list[tuple[str, str]] = field(default_factory=list)
    # Offered like Postfix, Exim and the big providers do; the client may still not use it.
    pipelining: bool = True

    async def handle_EHLO(self, server: SMTP, session: Session, envelope: Envelope, hostname: str,
                          responses: list[str]) -> list[str]:
        return ehlo_lines(session, hostname, responses, pipelining=self.pipelining)

    async def handle_MAIL(self, server: SMTP, session: Session, envelope: Envelope, address: str,
                          options: list[str]) -> str:
        reply = self.on_mail(address) if self.on_mail else None
        if reply:
            return reply
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str,
                          options: list[str]) -> str:
        reply = self.on_rcpt(address) if self.on_rcpt else None
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.on_data is not None:
            reply = await self.on_data(envelope, server)
            if reply:
                return reply
        self.accept(envelope)
        return "250 2.0.0 Accepted"

    def accept(self, envelope: Envelope) -> None:
        self.received.append(Received(list(envelope.rcpt_tos), envelope.mail_from,
                                      envelope.original_content or envelope.content, time.monotonic()))

    def authenticate(self, server: SMTP, session: Session, envelope: Envelope, mechanism: str,
                     data: Any) -> AuthResult:
        login, password = data.login.decode(), data.password.decode()
        self.logins.append((login, password))
        return AuthResult(success=password == self.password, handled=False)

    def message_ids(self) -> list[str]:
        return [item.message_id for item in self.received]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def start_sink(sink: Sink | None = None, port: int = 0) -> Sink:
    """Serve `sink` on 127.0.0.1 in the running loop."""
    sink = sink or Sink()
    loop = asyncio.get_running_loop()

    def factory() -> SMTP:
        sink.connections += 1
        options: dict[str, Any] = {"hostname": "sink.test", "auth_require_tls": False}
        if sink.password is not None:
            options["authenticator"] = sink.authenticate
        return SMTP(sink, **options)

    sink.server = await loop.create_server(factory, "127.0.0.1", port)
    sink.port = sink.server.sockets[0].getsockname()[1]
    return sink


async def stop_sink(sink: Sink) -> None:
    if sink.server is not None:
        sink.server.close()
        sink.server = None


async def start_raw_server(greeting: bytes | None) -> tuple[asyncio.AbstractServer, int, list[int]]:
    """A TCP server that sends `greeting` and hangs up, or (None) says nothing at all."""
    accepted: list[int] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(1)
        if greeting is None:
            await asyncio.sleep(30)
        else:
            writer.write(greeting)
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1], accepted


def make_config(port: int, **dispatch: Any) -> Config:
    smtp_options = {key[5:]: dispatch.pop(key) for key in list(dispatch) if key.startswith("smtp_")}
    smtp_options = {"host": "127.0.0.1", "port": port, "tls": "none", "timeout": 1.0,
                    "connections": 4, "helo_name": "client.test", **smtp_options}
    smtp = SmtpSettings(**smtp_options)
    dispatch.setdefault("backoff_jitter", 0.0)
    return Config(smtp=smtp, dispatch=DispatchSettings(**dispatch))


def add_campaign(store: Store, name: str = "Spring", sender: str = "team@brand.example") -> int:
    with store.write() as db:
        return create(db, CampaignSpec(name=name, sender=sender, sender_name="Brand Team"),
                      actor="tester", now=store.now_iso()).id


def add_influencer(store: Store, handle: str, email_addr: str, name: str = "Ana Silva") -> int:
    now = store.now_iso()
    with store.write() as db:
        return db.conn.execute(
            """INSERT INTO influencers (handle, name, first_name, email, created_at, updated_at)
               VALUES (?, ?, ?, ?, ?, ?)""", (handle, name, name.split()[0], email_addr, now, now)
        ).lastrowid


def queue(store: Store, count: int, *, campaign_id: int | None = None, prefix: str = "user",
          domain: str = "example.test", subject: str = "Casting call", uniform: bool = False) -> list[int]:
    """Queue `count` invitations to distinct influencers; returns the message row ids.

    `uniform` gives every message the same subject and body (see `prebuild_quickly`).
    """
    now = store.now_iso()
    ids = []
    with store.write() as db:
        for number in range(count):
            address = f"{prefix}{number}@{domain}"
            influencer = db.conn.execute(
                """INSERT INTO influencers (handle, name, first_name, email, created_at, updated_at)
                   VALUES (?, ?, ?, ?, ?, ?)""",
                (f"{prefix}{number}", f"Person {number}", "Person", address, now, now)).lastrowid
            row_id, _ = enqueue(db, now=now, kind="invitation", to_addr=address,
                                from_addr="team@brand.example", from_name="Brand Team",
                                subject=subject if uniform else f"{subject} {number}",
                                body=f"Hello{'' if uniform else f' Person {number}'},\n\nJoin us.\n",
                                influencer_id=influencer, campaign_id=campaign_id)
            ids.append(row_id)
    return ids


def statuses(store: Store) -> dict[str, int]:
    rows = store.reader().execute(
        "SELECT status, count(*) FROM messages WHERE direction = 'out' GROUP BY status").fetchall()
    return dict(rows)


def row(store: Store, row_id: int) -> dict:
    return next(iter(store.reader().query("SELECT * FROM messages WHERE id = ?", [row_id])))


def prebuild_quickly(store: Store, settings: DispatchSettings) -> int:
    """Prebuilt bytes for `uniform` rows: one composed for real, the others derived from it.

    Building each message costs ~2 ms; tests of crash safety need thousands of them and
    care about sending, not building. Every 100th derived message is checked against a
    real compose, so the shortcut cannot drift from the real thing.
    """
    rows = rows_without_raw(store.reader(), before="9999", limit=10**9)
    options = {"unsubscribe_url": settings.unsubscribe_url, "unsubscribe_mailto": settings.unsubscribe_mailto}
    template = rows[0]
    raw = compose(template, **options)
    built = []
    for number, item in enumerate(rows):
        derived = raw.replace(template["message_id"][1:33].encode(), item["message_id"][1:33].encode())
        derived = derived.replace(b"To: " + template["to_addr"].encode() + b"\r\n",
                                  b"To: " + item["to_addr"].encode() + b"\r\n")
        if number % 100 == 0:
            assert derived == compose(item, **options)
        built.append((item, build_key(**options), derived))
    with store.write() as db:
        return save_raw(db, built)


class ThreadedSink:
    """The same Sink served by aiosmtpd's Controller in a thread, for commands run in-process."""

    def __init__(self, sink: Sink | None = None) -> None:
        from aiosmtpd.controller import Controller

        self.sink = sink or Sink()
        self.sink.port = free_port()
        options: dict[str, Any] = {"auth_require_tls": False}
        if self.sink.password is not None:
            options["authenticator"] = self.sink.authenticate
        self.controller = Controller(self.sink, hostname="127.0.0.1", port=self.sink.port,
                                     server_hostname="sink.test", **options)

    def __enter__(self) -> Sink:
        self.controller.start()
        return self.sink

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


def write_config(text: str, mode: int = 0o600) -> Path:
    """Write the user's config.toml (in the test's XDG_CONFIG_HOME) with the given mode."""
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(mode)
    return path


class SinkProcess:
    """tests/sink_process.py in its own process, logging every accepted Message-ID."""

    def __init__(self, folder: Path, *, pipelining: bool = False) -> None:
        self.log = folder / "sink.log"
        self.delay_file = folder / "slow-data"
        offer = ["--pipelining"] if pipelining else []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.sink_process", str(self.log), "--delay-file", str(self.delay_file),
             *offer],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=Path(__file__).parent.parent)
        self.port = int(self.process.stdout.readline())

    def accepted(self) -> list[str]:
        return self.log.read_text().split() if self.log.exists() else []

    def count(self) -> int:
        return self.log.read_bytes().count(b"\n") if self.log.exists() else 0

    def stop(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=10)
