"""A TCP proxy that cuts the connection in the middle of a server's answer, for fault tests."""

from __future__ import annotations

import selectors
import socket
import threading
from dataclasses import dataclass, field


@dataclass
class DroppingProxy:
    """Forwards to (host, port); on the `drop_on`-th command containing `trigger`, lets
    `after_bytes` bytes of the answer through and then closes both sides."""

    host: str
    port: int
    trigger: bytes = b"BODY.PEEK[]"
    drop_on: int = 1
    after_bytes: int = 300
    drops_left: int = 1
    listen_port: int = 0
    _seen: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: socket.socket | None = None
    _stop: threading.Event = field(default_factory=threading.Event)

    def start(self) -> DroppingProxy:
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.2)
        self.listen_port = self._server.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._server is not None:
            self._server.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._server.accept()
            except (TimeoutError, OSError):
                continue
            upstream = socket.create_connection((self.host, self.port))
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _armed(self, data: bytes) -> bool:
        """Whether this client command is the one whose answer gets cut."""
        if self.trigger not in data:
            return False
        with self._lock:
            self._seen += 1
            if self._seen >= self.drop_on and self.drops_left > 0:
                self.drops_left -= 1
                return True
        return False

    def _pump(self, client: socket.socket, upstream: socket.socket) -> None:
        budget: int | None = None
        with selectors.DefaultSelector() as selector, client, upstream:
            selector.register(client, selectors.EVENT_READ, upstream)
            selector.register(upstream, selectors.EVENT_READ, client)
            while not self._stop.is_set():
                for key, _ in selector.select(timeout=0.2):
                    source, target = key.fileobj, key.data
                    try:
                        data = source.recv(65536)
                    except OSError:
                        return
                    if not data:
                        return
                    if source is client and budget is None and self._armed(data):
                        budget = self.after_bytes
                    if source is upstream and budget is not None:
                        target.sendall(data[:budget])
                        budget -= len(data[:budget])
                        if budget <= 0:
                            return  # closing both sockets mid-answer
                        continue
                    target.sendall(data)
