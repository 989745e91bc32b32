"""Running the pages: uvicorn on a socket bound here, in a thread the caller stops.

`callsheet serve` and `callsheet run --serve` both use `WebServer`: the socket is bound
before the thread starts (a port in use is one sentence, not a dead thread), uvicorn
runs in its own thread and event loop, and `stop()` asks it to finish the requests
under way and waits for it. Signals stay with the caller (the main thread).
"""

from __future__ import annotations

import logging
import socket
import threading
from pathlib import Path

import uvicorn

from mailer.config import is_loopback
from mailer.web.app import create_app
from store.clock import Clock
from store.db import Store
from store.errors import UserError
from store.operators import WEB_LOGIN

LOG = logging.getLogger("callsheet.web")
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8025


def web_store(path: Path, clock: Clock) -> Store:
    """The workspace as the pages use it: acting as `callsheet-web`, which only records applications."""
    return Store(path, clock, actor=WEB_LOGIN)


def check_bind(host: str, public_url: str | None) -> None:
    """Refuse listening beyond this machine unless the public address is https."""
    if is_loopback(host):
        return
    if not public_url or not public_url.startswith("https://"):
        raise UserError(f"Refusing to serve on {host} without an https public_url: set [web] public_url "
                        f"or CALLSHEET_PUBLIC_URL to the https address of the reverse proxy in front.")


def _bind(host: str, port: int) -> socket.socket:
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError as error:
        raise UserError(f"Cannot listen on {host}:{port}: {error.strerror or error}.") from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


class WebServer:
    """uvicorn serving the pages over `store`, in a thread; `start()` binds, `stop()` waits for it."""

    def __init__(self, store: Store, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, *,
                 forwarded_allow_ips: str | None = None) -> None:
        self.host, self.port, self.store = host, port, store
        # proxy_headers: X-Forwarded-For/-Proto are believed only from forwarded_allow_ips
        # (None: $FORWARDED_ALLOW_IPS, else 127.0.0.1), i.e. the reverse proxy in front.
        self.config = uvicorn.Config(create_app(store), host=host, port=port, proxy_headers=True,
                                     forwarded_allow_ips=forwarded_allow_ips, lifespan="off",
                                     log_level="warning", access_log=False, server_header=False)
        self.server = uvicorn.Server(self.config)
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None

    @property
    def address(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> None:
        self._socket = _bind(self.host, self.port)
        self.port = self._socket.getsockname()[1]
        self._thread = threading.Thread(target=self._run, name="callsheet-web", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self.server.run(sockets=[self._socket] if self._socket else None)
        except BaseException as error:  # noqa: BLE001 - the thread must not die silently
            LOG.error("the web server stopped: %s", error)

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def stop(self) -> None:
        self.server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=30)
        if self._socket is not None:
            self._socket.close()
