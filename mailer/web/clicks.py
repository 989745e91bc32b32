"""`/t/<message token>/<target id>`: a tracked link's redirect (mailer/actions/clicks.py does the work).

GET records the click, then answers 302 to the registered target; an unknown token or
target is the one-sentence 404 page and records nothing, so the redirect is never open.
HEAD answers the same redirect without recording: mail security scanners and link
previews prefetch links with it, and a prefetch is no person clicking.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from mailer.actions import clicks as click_actions
from mailer.web import i18n
from store.clicks import TRACK_PREFIX
from store.db import Store

# No cache may answer a second click for us, and the target learns nothing of the mail it came from.
HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff",
           "Content-Security-Policy": "default-src 'none'; base-uri 'none'; form-action 'none'; "
                                      "frame-ancestors 'none'"}
UNKNOWN = {
    "en": "This link leads nowhere: it may be mistyped or cut short.",
    "fr": "Ce lien ne mène nulle part : il est peut-être mal recopié ou coupé.",
    "de": "Dieser Link führt nirgendwohin: Vielleicht ist er falsch abgeschrieben oder abgeschnitten.",
    "es": "Este enlace no lleva a ninguna parte: quizá esté mal copiado o cortado.",
    "it": "Questo link non porta da nessuna parte: forse è copiato male o troncato.",
}
# page(template name, status, **context): the application's page renderer (mailer/web/app.py).
Page = Callable[..., Response]


def routes(store: Store, page: Page) -> list[Route]:
    """The tracked-link routes over `store` (opened as callsheet-web), pages rendered by `page`."""

    def not_found(request: Request) -> Response:
        lang = i18n.pick(tuple(UNKNOWN), None, request.headers.get("accept-language", ""))
        return page("message.html", 404, lang=lang, text=UNKNOWN[lang])

    async def follow(request: Request) -> Response:
        token, target = request.path_params["token"], _target(request.path_params["target"])
        if target is None:
            return not_found(request)
        outcome = await run_in_threadpool(click_actions.follow_link, store, token, target)
        return _redirect(outcome.url) if outcome.url else not_found(request)

    async def peek(request: Request) -> Response:
        token, target = request.path_params["token"], _target(request.path_params["target"])
        url = await run_in_threadpool(click_actions.link_target, store, token, target) if target else None
        return _redirect(url) if url else not_found(request)

    path = TRACK_PREFIX + "{token}/{target}"
    # HEAD first: Starlette lets a GET route answer HEAD too.
    return [Route(path, peek, methods=["HEAD"]), Route(path, follow, methods=["GET"])]


def _target(text: str) -> int | None:
    """A target id as links spell it (digits, no leading zero, within SQLite's integers), else None."""
    if not text.isascii() or not text.isdigit() or len(text) > 18 or text != str(int(text)):
        return None
    return int(text)


def _redirect(url: str) -> Response:
    return RedirectResponse(url, status_code=302, headers=HEADERS)
