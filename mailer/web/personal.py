"""A message's personal pages: answer the invitation (/a/), sign the agreement (/g/), unsubscribe (/u/).

Each is keyed by the message's own token (the random part of its Message-ID). A GET only
shows; a POST calls one action (mailer/actions/personal.py, influencers.unsubscribe_by_token)
and shows its result. The unsubscribe POST is RFC 8058's one-click: it acts at once,
whatever its body says. An unknown token is one sentence and a 404.
"""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from mailer.actions import influencers as influencer_actions
from mailer.actions import personal
from mailer.web import guard, i18n
from mailer.web.app import MAX_BODY, _moment, _render, form_page, over_limit, refused_page
from mailer.web.links import AGREEMENT_PREFIX, ANSWER_PREFIX, UNSUBSCRIBE_PREFIX
from store import stages
from store.applications import closed_reason
from store.db import Store
from store.errors import NotFound
from store.personal_links import LinkTarget

# Characters each field of these forms may hold; over it the form is refused (413).
LIMITS = {"answer": 16, "decision": 16, "lang": 16, guard.FIELD: 128, "List-Unsubscribe": 32}


def personal_routes(store: Store, forms: guard.FormGuard, limiter: guard.RateLimit) -> list[Route]:
    """The routes of the personal pages over `store` (opened as callsheet-web)."""

    def language(request: Request, found: LinkTarget | None, asked: str = "") -> str:
        offered = list(found.campaign.languages) if found and found.campaign else []
        written = (found.message["language"] or "") if found else ""
        if written and written not in offered:
            offered.append(written)
        return i18n.pick(offered or list(i18n.STRINGS), asked or request.query_params.get("lang") or written,
                         request.headers.get("accept-language", ""))

    def stale(request: Request, found: LinkTarget | None = None) -> HTMLResponse:
        lang = language(request, found)
        return _render("message.html", 404, lang=lang, text=i18n.words(lang)["link_not_found"])

    async def lookup(request: Request) -> LinkTarget | None:
        return await run_in_threadpool(personal.link_target, store, request.path_params["token"])

    async def field(request: Request, found: LinkTarget, name: str) -> tuple[str, str] | Response:
        """(the form's `name`, its `lang`) of a POST with its page's token, within the limits; else the
        one-sentence page that turns it away."""
        lang = language(request, found)
        try:
            data = await guard.read_form(request, max_fields=8, max_part_size=MAX_BODY)
            asked = str(data.get("lang") or "")[:16]
            lang = language(request, found, asked)
            forms.check(request, data)
            guard.check_lengths(data, LIMITS, {})
        except guard.Refused as error:
            return refused_page(error, lang)
        return str(data.get(name) or ""), asked

    def sender_of(found: LinkTarget) -> str:
        """Who wrote: the name the message was sent under, else the campaign's sender or name."""
        campaign = found.campaign
        fallback = (campaign.sender_name or campaign.name) if campaign else ""
        return str(found.message.get("from_name") or fallback)

    # -- the invitation ---------------------------------------------------------------------

    def answer_page(request: Request, found: LinkTarget, lang: str, *, status: int = 200,
                    notice: str | None = None, problem: str | None = None) -> HTMLResponse:
        words = i18n.words(lang)
        application = found.application or {}
        if notice is None and application.get("stage") != stages.INVITED:
            notice = words["already_answered"].format(answer=words[f"word_{found.answered or 'yes'}"])
        elif notice is None and found.campaign and closed_reason(found.campaign, store.clock.now()):
            notice = words["invitation_closed"]
        return form_page(request, forms, "answer.html", status, lang=lang, campaign=found.campaign,
                         sender=sender_of(found), action=request.url.path, notice=notice, problem=problem)

    async def show_answer(request: Request) -> Response:
        found = await lookup(request)
        if found is None or found.campaign is None or found.application is None:
            return stale(request, found)
        return await run_in_threadpool(answer_page, request, found, language(request, found))

    async def post_answer(request: Request) -> Response:
        if flooded := over_limit(limiter, request, "form"):
            return flooded
        found = await lookup(request)
        if found is None or found.campaign is None or found.application is None:
            return stale(request, found)
        posted = await field(request, found, "answer")
        if isinstance(posted, Response):
            return posted
        answer, asked = posted
        lang = language(request, found, asked)
        words = i18n.words(lang)
        if answer not in ("yes", "no"):
            return await run_in_threadpool(answer_page, request, found, lang, status=400,
                                           problem=words["choose"])
        outcome = await run_in_threadpool(personal.answer_invitation, store, request.path_params["token"],
                                          answer == "yes")
        return outcome_page(outcome, lang, {
            personal.YES: ("answered_yes", 200), personal.NO: ("answered_no", 200),
            personal.CLOSED: ("invitation_closed", 409)}, words["invitation"])

    # -- the agreement ----------------------------------------------------------------------

    def agreement_page(request: Request, found: LinkTarget, lang: str, *, status: int = 200,
                       notice: str | None = None, problem: str | None = None) -> HTMLResponse:
        words = i18n.words(lang)
        campaign, application = found.campaign, found.application or {}
        assert campaign is not None
        deadline = _moment(application.get("agreement_deadline"), campaign.timezone)
        stage = stages.effective_stage(application.get("stage") or "", application.get("agreement_deadline"),
                                       store.clock.now())
        if notice is None and stage != stages.AGREEMENT_SENT:
            notice = {stages.SIGNED: words["already_signed"], stages.REFUSED: words["already_refused"],
                      stages.EXPIRED: words["agreement_expired"].format(when=deadline)}.get(
                          stage, words["agreement_not_waiting"])
        return form_page(request, forms, "agreement.html", status, lang=lang, campaign=campaign,
                         text=found.agreement, deadline=deadline, fee=application.get("fee"),
                         action=request.url.path, notice=notice, problem=problem)

    async def show_agreement(request: Request) -> Response:
        found = await lookup(request)
        if found is None or found.campaign is None or found.application is None:
            return stale(request, found)
        return await run_in_threadpool(agreement_page, request, found, language(request, found))

    async def post_agreement(request: Request) -> Response:
        if flooded := over_limit(limiter, request, "form"):
            return flooded
        found = await lookup(request)
        if found is None or found.campaign is None or found.application is None:
            return stale(request, found)
        posted = await field(request, found, "decision")
        if isinstance(posted, Response):
            return posted
        decision, asked = posted
        lang = language(request, found, asked)
        if decision not in ("sign", "refuse"):
            return await run_in_threadpool(agreement_page, request, found, lang, status=400,
                                           problem=i18n.words(lang)["choose"])
        outcome = await run_in_threadpool(personal.answer_agreement, store, request.path_params["token"],
                                          decision == "sign")
        if outcome.state in (personal.ALREADY, personal.EXPIRED, personal.NOT_WAITING):
            fresh = await lookup(request)
            if fresh is not None:
                return await run_in_threadpool(agreement_page, request, fresh, lang, status=409)
        return outcome_page(outcome, lang, {personal.SIGNED: ("signed_text", 200),
                                            personal.REFUSED: ("refused_text", 200)},
                            i18n.words(lang)["agreement"])

    # -- unsubscribing ----------------------------------------------------------------------

    async def show_unsubscribe(request: Request) -> Response:
        found = await lookup(request)
        if found is None:
            return stale(request)
        lang = language(request, found)
        words = i18n.words(lang)
        notice = words["already_unsubscribed"] if found.influencer.get("unsubscribed") else None
        return form_page(request, forms, "unsubscribe.html", lang=lang,
                         sender=sender_of(found) or found.message.get("subject"), action=request.url.path,
                         notice=notice)

    async def post_unsubscribe(request: Request) -> Response:
        if flooded := over_limit(limiter, request, "unsubscribe"):
            return flooded
        found = await lookup(request)
        if found is None:
            return stale(request)
        lang = language(request, found)
        try:
            data = await guard.read_form(request, max_fields=8, max_part_size=MAX_BODY)
        except guard.Refused as error:
            if error.status != 400:
                return refused_page(error, lang)
            data = FormData()  # RFC 8058: a one-click POST acts whatever its body
        lang = language(request, found, str(data.get("lang") or "")[:16])
        if guard.FIELD in data:  # the confirm button's form, not a mail provider's one-click
            try:
                forms.check(request, data)
            except guard.Refused as error:
                return refused_page(error, lang)
        try:
            outcome = await run_in_threadpool(influencer_actions.unsubscribe_by_token, store,
                                              request.path_params["token"])
        except NotFound:
            return stale(request, found)
        words = i18n.words(lang)
        key = "unsubscribed_text" if outcome.changed[0] else "already_unsubscribed"
        return _render("result.html", lang=lang, campaign_name=words["unsubscribe"], state=key,
                       heading=words["unsubscribe"], text=words[key])

    def outcome_page(outcome: personal.LinkOutcome, lang: str, texts: dict[str, tuple[str, int]],
                     heading: str) -> HTMLResponse:
        words = i18n.words(lang)
        if outcome.state == personal.UNKNOWN:
            return _render("message.html", 404, lang=lang, text=words["link_not_found"])
        if outcome.state == personal.ALREADY:
            given = outcome.answer if outcome.answer in ("yes", "no") else "yes"
            text, status = words["already_answered"].format(answer=words[f"word_{given}"]), 409
        else:
            key, status = texts.get(outcome.state, ("agreement_not_waiting", 409))
            text = words[key]
        context: dict[str, Any] = {"campaign_name": outcome.campaign, "state": outcome.state,
                                   "heading": heading, "text": text}
        return _render("result.html", status, lang=lang, **context)

    token = "{token}"
    return [Route(ANSWER_PREFIX + token, show_answer, methods=["GET", "HEAD"]),
            Route(ANSWER_PREFIX + token, post_answer, methods=["POST"]),
            Route(AGREEMENT_PREFIX + token, show_agreement, methods=["GET", "HEAD"]),
            Route(AGREEMENT_PREFIX + token, post_agreement, methods=["POST"]),
            Route(UNSUBSCRIBE_PREFIX + token, show_unsubscribe, methods=["GET", "HEAD"]),
            Route(UNSUBSCRIBE_PREFIX + token, post_unsubscribe, methods=["POST"])]
