"""What keeps the pages safe on the open internet: form tokens, field limits and a rate limit.

A form token is an HMAC, with the workspace's secret (store/web_secret.py), over the page's
path, the time it was issued (the store's clock) and a random nonce kept in a cookie
(HttpOnly, SameSite=Strict, Secure behind https): a POST must carry both, from the same
browser, for the same page, within `TOKEN_LIFETIME`. Nothing here is stored per visitor.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
from collections import OrderedDict, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from starlette.datastructures import FormData, Headers
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from store.clock import Clock

FIELD = "csrf"
COOKIE = "callsheet_form"
TOKEN_LIFETIME = timedelta(hours=6)
# A token issued a little "in the future" (two serve processes whose clocks differ) still counts.
CLOCK_SKEW = timedelta(minutes=5)
_NONCE = re.compile(r"[A-Za-z0-9_-]{22}")
_TOKEN = re.compile(r"(\d{1,12})\.([0-9a-f]{64})")

# The submissions one client address may make in `RATE_WINDOW`, per kind of form. Unsubscribes get
# more: mailbox providers send RFC 8058 one-click POSTs for all their users from few addresses.
RATE_WINDOW = timedelta(minutes=10)
RATE_LIMITS = {"form": 10, "unsubscribe": 600}
RATE_ADDRESSES = 10_000  # addresses remembered at most; the least recently seen are forgotten


@dataclass(frozen=True)
class Refused(Exception):
    """A POST turned away before anything is recorded: its status and the catalogue key of its sentence."""

    status: int
    key: str
    values: tuple[tuple[str, str], ...] = ()

    def sentence(self, words: Mapping[str, str]) -> str:
        return words[self.key].format(**dict(self.values))


class FormGuard:
    """Issues and checks the form tokens of one workspace."""

    def __init__(self, secret: bytes, clock: Clock, *, secure_cookie: bool,
                 lifetime: timedelta = TOKEN_LIFETIME) -> None:
        self.secret, self.clock, self.secure_cookie, self.lifetime = secret, clock, secure_cookie, lifetime

    def _mac(self, path: str, issued: int, nonce: str) -> str:
        message = f"{path}\n{issued}\n{nonce}".encode()
        return hmac.new(self.secret, message, hashlib.sha256).hexdigest()

    @staticmethod
    def nonce_of(request: Request) -> str | None:
        nonce = request.cookies.get(COOKIE, "")
        return nonce if _NONCE.fullmatch(nonce) else None

    def issue(self, request: Request) -> tuple[str, str | None]:
        """(the token for this page's form, the nonce to set as a cookie when the browser has none)."""
        nonce = self.nonce_of(request)
        fresh = None if nonce else secrets.token_urlsafe(16)
        issued = int(self.clock.now().timestamp())
        return f"{issued}.{self._mac(request.url.path, issued, nonce or fresh or '')}", fresh

    def valid(self, request: Request, token: str) -> bool:
        """Whether `token` was issued for this page, to this browser, and is not yet expired."""
        nonce, match = self.nonce_of(request), _TOKEN.fullmatch(token)
        if nonce is None or match is None:
            return False
        issued = int(match.group(1))
        if not hmac.compare_digest(match.group(2), self._mac(request.url.path, issued, nonce)):
            return False
        now = self.clock.now()
        age = now - datetime.fromtimestamp(issued, now.tzinfo)
        return -CLOCK_SKEW <= age <= self.lifetime

    def check(self, request: Request, form: FormData) -> None:
        """Refuse (403) a POST whose token is missing, forged, for another page or expired."""
        if not self.valid(request, str(form.get(FIELD) or "")):
            raise Refused(403, "form_expired")

    def set_cookie(self, response: Response, nonce: str | None) -> Response:
        if nonce:
            response.set_cookie(COOKIE, nonce, httponly=True, samesite="strict", secure=self.secure_cookie,
                                path="/")
        return response


class RateLimit:
    """At most `RATE_LIMITS[kind]` POSTs per client address in `RATE_WINDOW`, in this process's memory."""

    def __init__(self, clock: Clock, limits: Mapping[str, int] = RATE_LIMITS,
                 window: timedelta = RATE_WINDOW, addresses: int = RATE_ADDRESSES) -> None:
        self.clock, self.limits, self.window, self.addresses = clock, dict(limits), window, addresses
        self._seen: OrderedDict[tuple[str, str], deque[datetime]] = OrderedDict()
        self._lock = threading.Lock()

    def hit(self, request: Request, kind: str = "form") -> None:
        """Count one POST from the request's address; refuse it (429) when over the limit."""
        address = request.client.host if request.client else ""
        now = self.clock.now()
        with self._lock:
            self._forget(now)
            times = self._seen.setdefault((address, kind), deque())
            self._seen.move_to_end((address, kind))
            while times and times[0] <= now - self.window:
                times.popleft()
            if len(times) >= self.limits[kind]:
                raise Refused(429, "too_many")
            times.append(now)

    def _forget(self, now: datetime) -> None:
        """Drop the addresses whose last POST left the window, and the oldest beyond `addresses`."""
        while self._seen:
            key, times = next(iter(self._seen.items()))
            if times and times[-1] > now - self.window and len(self._seen) <= self.addresses:
                break
            del self._seen[key]

    def __len__(self) -> int:
        return len(self._seen)


async def read_form(request: Request, *, max_fields: int, max_part_size: int) -> FormData:
    """The POSTed form; a body or field over the limits is a 413, an unreadable one a 400 (one sentence)."""
    try:
        async with request.form(max_files=0, max_fields=max_fields, max_part_size=max_part_size) as data:
            return FormData(list(data.multi_items()))
    except HTTPException as error:
        if error.status_code == 413 or "maximum" in str(error.detail).lower():
            raise Refused(413, "too_large") from None
        raise Refused(400, "unreadable") from None


def check_lengths(form: FormData, limits: Mapping[str, int], labels: Mapping[str, str]) -> None:
    """Refuse (413) a form with a field longer than its limit (characters), naming the field."""
    for name, value in form.multi_items():
        limit = limits.get(name)
        if limit is not None and len(str(value)) > limit:
            raise Refused(413, "too_long", (("field", labels.get(name, name)), ("limit", f"{limit:,}")))


class BodyLimit:
    """ASGI middleware: a request body over `max_body` bytes is refused with `page(scope)` (413).

    A declared Content-Length over it is answered before reading; a body that grows over it
    while read raises HTTPException(413), which `read_form` turns into the same sentence.
    (Starlette's own limit answers its raw "Content Too Large" text instead of the page.)
    """

    def __init__(self, app: ASGIApp, max_body: int, page: Callable[[Scope], Response]) -> None:
        self.app, self.max_body, self.page = app, max_body, page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_body:
            await self.page(scope)(scope, receive, send)
            return
        total = 0

        async def counted() -> Message:
            nonlocal total
            message = await receive()
            if message["type"] == "http.request":
                total += len(message.get("body", b""))
                if total > self.max_body:
                    raise HTTPException(413)
            return message

        await self.app(scope, counted, send)
