"""The Starlette application `callsheet serve` runs: the casting-call page of each campaign.

Each page parses its form, calls one action (mailer/actions/casting.py) and renders
what it returned. Text from outside is autoescaped by jinja2; visitors never see a
stack trace (errors go to the log). The store is opened as `callsheet-web`.
"""

from __future__ import annotations

import base64
import hashlib
import logging
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from mailer.actions import casting as casting_actions
from mailer.web import clicks, guard, i18n
from mailer.web.links import PAGE_PREFIX
from store.campaigns import Campaign, zone
from store.casting import PageApplication
from store.clock import from_iso
from store.db import Store
from store.errors import UserError

LOG = logging.getLogger("callsheet.web")
PLATFORMS = ("instagram", "tiktok", "youtube", "twitch", "x", "facebook", "pinterest", "linkedin")
FIELDS = ("handle", "name", "email", "followers", "engagement_rate", "country", "language", "fee", "message")
MAX_BODY = 64 * 1024
# Characters a field of the casting form may hold; over it the form is refused (413), never cut short.
LIMITS = {"handle": 100, "name": 200, "email": 254, "followers": 32, "engagement_rate": 32, "country": 64,
          "language": 35, "fee": 32, "message": 4000, "platform": 32, "lang": 16, guard.FIELD: 128,
          "website": 500}
HONEYPOT = "website"
_STYLE = (Path(__file__).parent / "templates" / "page.css").read_text(encoding="utf-8")
_STYLE_HASH = base64.b64encode(hashlib.sha256(_STYLE.encode()).digest()).decode()
HEADERS = {"Content-Security-Policy": f"default-src 'none'; style-src 'sha256-{_STYLE_HASH}'; "
                                      "form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
           "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
           "Cache-Control": "no-store"}

_templates = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                         autoescape=select_autoescape(["html"], default=True), auto_reload=False)


def _render(name: str, status: int = 200, **context: Any) -> HTMLResponse:
    lang = context.setdefault("lang", i18n.DEFAULT)
    context.setdefault("t", i18n.words(lang))
    context.setdefault("switch", [])
    context["style"] = Markup(_STYLE)
    return HTMLResponse(_templates.get_template(name).render(**context), status_code=status, headers=HEADERS)


def _moment(instant: str | None, timezone: str) -> str | None:
    """A stored UTC time as the visitor can read it: UTC, then the campaign's own zone spelled out."""
    if not instant:
        return None
    moment = from_iso(instant)
    text = f"{moment:%Y-%m-%d %H:%M} UTC"
    if timezone.upper() != "UTC":
        local = moment.astimezone(zone(timezone))
        text += f" ({local:%Y-%m-%d %H:%M} {timezone})"
    return text


def _state(campaign: Campaign, now: datetime) -> str:
    if campaign.opens_at and from_iso(campaign.opens_at) > now and campaign.status != "closed":
        return "not_open"
    from store.applications import closed_reason

    return "closed" if closed_reason(campaign, now) else "open"


def form_page(request: Request, forms: guard.FormGuard, name: str, status: int = 200,
              **context: Any) -> HTMLResponse:
    """A page holding a form: its token in the context (`csrf`), the browser's nonce cookie set if new."""
    token, nonce = forms.issue(request)
    return forms.set_cookie(_render(name, status, csrf=token, **context), nonce)  # type: ignore[return-value]


def refused_page(error: guard.Refused, lang: str) -> HTMLResponse:
    """The one sentence of a POST turned away (403, 413, 400 or 429), in the page's language."""
    response = _render("message.html", error.status, lang=lang, text=error.sentence(i18n.words(lang)))
    if error.status == 429:
        response.headers["Retry-After"] = str(int(guard.RATE_WINDOW.total_seconds()))
    return response


def over_limit(limiter: guard.RateLimit, request: Request, kind: str = "form") -> HTMLResponse | None:
    """Count one POST before anything else (a flood costs no lookup); the 429 page when over the limit."""
    try:
        limiter.hit(request, kind)
    except guard.Refused as error:
        return refused_page(error, _visitor_language(request))
    return None


def sentence_page(request: Request, status: int, key: str) -> HTMLResponse:
    """The one-sentence page `key` of the catalogue, in the visitor's language."""
    lang = _visitor_language(request)
    return _render("message.html", status, lang=lang, text=i18n.words(lang)[key])


def _labels(lang: str) -> dict[str, str]:
    """The casting form's field labels, by field name, as the too-long sentence names them."""
    words = i18n.words(lang)
    return {**words, "engagement_rate": words["engagement"], "platform": words["platforms"]}


def _visitor_language(request: Request) -> str:
    return i18n.pick(tuple(i18n.STRINGS), request.query_params.get("lang"),
                     request.headers.get("accept-language", ""))


def _secure_cookie() -> bool:
    """Whether the form cookie is Secure: the pages are public at an https address."""
    from mailer.config import current_public_url

    try:
        return (current_public_url() or "").startswith("https://")
    except UserError:
        return False


def create_app(store: Store, *, secure_cookie: bool | None = None,
               rate_limits: dict[str, int] | None = None) -> Starlette:
    """The web application over `store` (opened as operators.WEB_LOGIN)."""
    from store.web_secret import form_secret

    forms = guard.FormGuard(form_secret(store), store.clock,
                            secure_cookie=_secure_cookie() if secure_cookie is None else secure_cookie)
    limiter = guard.RateLimit(store.clock, rate_limits or guard.RATE_LIMITS)

    def language_of(request: Request, campaign: Campaign, asked: str | None = None) -> str:
        return i18n.pick(campaign.languages, asked or request.query_params.get("lang"),
                         request.headers.get("accept-language", ""))

    def casting_page(request: Request, campaign: Campaign, lang: str, *, problem: str | None = None,
                     form: dict[str, Any] | None = None, status: int = 200) -> HTMLResponse:
        names = ", ".join(i18n.NAMES.get(code, code) for code in campaign.languages)
        switch = ([(code, i18n.NAMES.get(code, code)) for code in campaign.languages]
                  if len(campaign.languages) > 1 else [])
        return form_page(request, forms, "casting.html", status, lang=lang, switch=switch, campaign=campaign,
                         language_names=names, state=_state(campaign, store.clock.now()),
                         opens=_moment(campaign.opens_at, campaign.timezone),
                         closes=_moment(campaign.closes_at, campaign.timezone),
                         action=request.url.path, problem=problem, platforms=PLATFORMS,
                         form={"platform": [], **dict.fromkeys(FIELDS, ""), **(form or {})})

    def not_found(request: Request) -> HTMLResponse:
        return sentence_page(request, 404, "not_found")

    async def show(request: Request) -> Response:
        campaign = await run_in_threadpool(casting_actions.page_campaign, store, request.path_params["token"])
        if campaign is None:
            return not_found(request)
        return casting_page(request, campaign, language_of(request, campaign))

    async def submit(request: Request) -> Response:
        if flooded := over_limit(limiter, request):
            return flooded
        token = request.path_params["token"]
        campaign = await run_in_threadpool(casting_actions.page_campaign, store, token)
        if campaign is None:
            return not_found(request)
        lang = language_of(request, campaign)
        try:
            data = await guard.read_form(request, max_fields=40, max_part_size=MAX_BODY)
            lang = language_of(request, campaign, str(data.get("lang") or "")[:16])
            forms.check(request, data)
            guard.check_lengths(data, LIMITS, _labels(lang))
        except guard.Refused as error:
            return refused_page(error, lang)
        form: dict[str, Any] = {key: str(data.get(key) or "") for key in FIELDS}
        form["platform"] = [str(p) for p in data.getlist("platform") if str(p) in PLATFORMS]
        words = i18n.words(lang)
        if str(data.get(HONEYPOT) or "").strip():
            LOG.warning("honeypot filled on %s from %s: nothing recorded", request.url.path,
                        request.client.host if request.client else "?")
            handle = form["handle"].strip().lstrip("@")
            return _render("result.html", lang=lang, campaign_name=campaign.name,
                           state=casting_actions.RECEIVED, heading=words["received"],
                           text=words["received_text"].format(handle=handle))
        try:
            fee = _fee(form["fee"])
            application = PageApplication(
                handle=form["handle"], fee=fee, message=form["message"],
                values={key: form[key] for key in ("name", "email", "followers", "engagement_rate",
                                                   "country", "language")} | {"platform": form["platform"]})
            outcome = await run_in_threadpool(casting_actions.apply_from_page, store, token, application)
        except UserError as error:
            return casting_page(request, campaign, lang, problem=error.sentence, form=form, status=400)
        if outcome.state == casting_actions.CLOSED:
            return casting_page(request, campaign, lang, status=409)
        key = "received" if outcome.state == casting_actions.RECEIVED else "ineligible"
        return _render("result.html", lang=lang, campaign_name=campaign.name, state=outcome.state,
                       heading=words[key], text=words[f"{key}_text"].format(handle=outcome.handle))

    async def missing(request: Request, _exc: Exception) -> Response:
        return not_found(request)

    async def failed(request: Request, exc: Exception) -> Response:
        if isinstance(exc, HTTPException) and exc.status_code == 413:
            return sentence_page(request, 413, "too_large")
        if isinstance(exc, HTTPException) and exc.status_code < 500:
            return sentence_page(request, exc.status_code, "not_found")
        LOG.error("%s %s failed", request.method, request.url.path, exc_info=exc)
        return sentence_page(request, 500, "error")

    from mailer.web.personal import personal_routes  # it renders with this module's helpers

    routes = [Route(PAGE_PREFIX + "{token}", show, methods=["GET", "HEAD"]),
              Route(PAGE_PREFIX + "{token}", submit, methods=["POST"]),
              *personal_routes(store, forms, limiter)]
    routes += clicks.routes(store, _render)
    limit = Middleware(guard.BodyLimit, max_body=MAX_BODY,
                       page=lambda scope: sentence_page(Request(scope), 413, "too_large"))
    return Starlette(routes=routes, middleware=[limit],
                     exception_handlers={404: missing, 405: missing, HTTPException: failed,
                                         Exception: failed})


def _fee(text: str) -> float | None:
    """The requested fee as typed (12, 1200.50, "1 200,50"), or None when left empty."""
    clean = text.strip().replace(" ", "").replace("\u00a0", "")
    if not clean:
        return None
    if "," in clean and "." not in clean:
        clean = clean.replace(",", ".")
    try:
        value = float(clean.replace(",", ""))
    except ValueError:
        raise UserError(f"The fee {text.strip()!r} is not an amount (like 250 or 1200.50).") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise UserError(f"The fee {text.strip()!r} is not an amount (like 250 or 1200.50).")
    return value
