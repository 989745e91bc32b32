"""RFC 2920 PIPELINING: the envelope really travels in one write, replies are read however split,
and a server that breaks the rules never gets a message it should not have."""

from __future__ import annotations

import asyncio
import ssl
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiosmtpd.smtp import SMTP

from mailer.config import load_config
from mailer.dispatch.dispatcher import Dispatcher
from store.errors import UserError
from tests.dispatch_helpers import Sink, add_campaign, make_config, queue, row


@dataclass
class StrictPipeliningServer:
    """Answers an envelope only once MAIL, RCPT and DATA have all arrived: a client that waits
    for each reply (no pipelining) would wait for ever. Each reply goes out in a write of its own.
    `refuse` maps a recipient to its RCPT reply; DATA is then still answered 354 (against RFC 2920)."""

    refuse: dict[str, str] = field(default_factory=dict)
    received: list[tuple[str, bytes]] = field(default_factory=list)
    connections: int = 0
    port: int = 0

    async def start(self) -> None:
        server = await asyncio.start_server(self.serve, "127.0.0.1", 0)
        self.server = server
        self.port = server.sockets[0].getsockname()[1]

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        writer.write(b"220 strict.test ESMTP\r\n")
        try:
            while line := await reader.readline():
                command = line[:4].upper()
                if command == b"EHLO":
                    writer.write(b"250-strict.test\r\n250-PIPELINING\r\n250-SIZE 1000000\r\n250 8BITMIME\r\n")
                elif command == b"MAIL":
                    await self._envelope(line, reader, writer)
                elif command == b"RSET":
                    writer.write(b"250 2.0.0 Reset\r\n")
                elif command == b"QUIT":
                    writer.write(b"221 2.0.0 Bye\r\n")
                    break
                else:
                    writer.write(b"502 5.5.2 Not here\r\n")
                await writer.drain()
        finally:
            writer.close()

    async def _envelope(self, mail: bytes, reader: asyncio.StreamReader,
                        writer: asyncio.StreamWriter) -> None:
        rcpt = await reader.readline()
        data = await reader.readline()
        assert mail.startswith(b"MAIL FROM:<") and b"SIZE=" in mail, mail
        assert rcpt.startswith(b"RCPT TO:<") and data == b"DATA\r\n", (rcpt, data)
        recipient = rcpt[9:].split(b">")[0].decode()
        refusal = self.refuse.get(recipient)
        for reply in (b"250 2.1.0 Ok\r\n", (refusal or "250 2.1.5 Ok").encode() + b"\r\n",
                      b"354 End data with <CR><LF>.<CR><LF>\r\n"):
            writer.write(reply)
            await writer.drain()
            await asyncio.sleep(0.005)
        content = b""
        while (line := await reader.readline()) not in (b".\r\n", b""):
            content += line
        self.received.append((recipient, content))
        writer.write(b"554 5.5.1 No valid recipients\r\n" if refusal else
                     b"250-2.0.0 Ok\r\n250 2.0.0 queued as 1A2B3C\r\n")


@pytest.fixture
async def strict() -> StrictPipeliningServer:
    server = StrictPipeliningServer()
    await server.start()
    yield server
    server.server.close()


async def test_the_envelope_goes_out_in_one_write_and_split_replies_are_read(store, strict) -> None:
    cid = add_campaign(store)
    ids = queue(store, 12, campaign_id=cid)
    report = await Dispatcher(store, make_config(strict.port, smtp_timeout=2.0)).run_until_empty()
    assert (report.sent, report.deferred, report.failed) == (12, 0, 0)
    assert len(strict.received) == 12
    first = row(store, ids[0])
    # The reply to the content, both lines of it, is what is kept.
    assert first["status"] == "sent" and first["last_smtp_response"] == "250 2.0.0 Ok 2.0.0 queued as 1A2B3C"
    assert all(b"Message-ID: " + row(store, i)["message_id"].encode() in content
               for i, (_, content) in zip(ids, strict.received, strict=False))
    assert strict.connections <= 4


async def test_without_pipelining_the_same_server_would_never_answer(store, strict) -> None:
    """The proof that the test above pipelines: lockstep waits for a reply that never comes."""
    cid = add_campaign(store)
    [message_id] = queue(store, 1, campaign_id=cid)
    config = make_config(strict.port, smtp_timeout=0.3, smtp_pipelining=False, smtp_connections=1)
    await Dispatcher(store, config).run_until_empty()
    message = row(store, message_id)
    assert message["status"] == "deferred" and "Timed out" in message["last_smtp_response"]
    assert strict.received == []


async def test_a_354_after_a_refused_recipient_gets_an_empty_message_only(store, strict) -> None:
    """RFC 2920 §3.1: end the data at once; the refusal is the recipient's, the session goes on."""
    cid = add_campaign(store)
    ids = queue(store, 3, campaign_id=cid)
    strict.refuse["user1@example.test"] = "550 5.1.1 No such user"
    report = await Dispatcher(store, make_config(strict.port, smtp_connections=1)).run_until_empty()
    assert (report.sent, report.failed) == (2, 1)
    refused = row(store, ids[1])
    assert (refused["status"], refused["last_smtp_response"]) == ("failed", "550 5.1.1 No such user")
    assert store.reader().execute("SELECT bounced FROM influencers WHERE id = ?",
                                  [refused["influencer_id"]]).fetchone()[0] == 1
    assert dict(strict.received)["user1@example.test"] == b""
    assert [row(store, i)["status"] for i in (ids[0], ids[2])] == ["sent", "sent"]
    assert strict.connections == 1


def test_pipelining_can_be_turned_off_and_must_be_true_or_false(tmp_path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[smtp]\nurl = "smtp://127.0.0.1:2525?tls=none"\npipelining = false\n')
    path.chmod(0o600)
    assert load_config(path, environ={}).smtp.pipelining is False
    path.write_text('[smtp]\nurl = "smtp://127.0.0.1:2525?tls=none"\npipelining = "no"\n')
    with pytest.raises(UserError, match="'pipelining' in \\[smtp\\] has the wrong type"):
        load_config(path, environ={})


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, made by the openssl command."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


@pytest.mark.parametrize("tls", ["starttls", "tls"])
async def test_pipelining_over_tls(store, certificate, tls) -> None:
    """The transport lent to the reply reader may be a TLS one (after STARTTLS, or from the start)."""
    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    sink = Sink()
    options = {"tls_context": context, "require_starttls": True} if tls == "starttls" else {}

    def factory() -> SMTP:
        sink.connections += 1
        return SMTP(sink, hostname="sink.test", **options)

    server = await asyncio.get_running_loop().create_server(
        factory, "127.0.0.1", 0, ssl=context if tls == "tls" else None)
    port = server.sockets[0].getsockname()[1]
    cid = add_campaign(store)
    ids = queue(store, 6, campaign_id=cid)
    config = make_config(port, smtp_tls=tls, smtp_ca_file=str(cert), smtp_connections=2, smtp_timeout=5.0)
    report = await Dispatcher(store, config).run_until_empty()
    server.close()
    assert report.sent == 6 and len(sink.received) == 6
    assert {item.message_id for item in sink.received} == {row(store, i)["message_id"] for i in ids}
    assert sink.connections <= 2
