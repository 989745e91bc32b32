"""Rendering email templates: stored per campaign, else the built-in defaults, in a bounded sandbox.

A template is a subject and a body (and optionally an HTML body) per kind and
language. The influencer's language picks the variant; the campaign's first
language is the fallback. Any problem is a `TemplateError`: one sentence naming
the kind, the language and the line.
"""

from __future__ import annotations

import functools
import re
import traceback
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from jinja2 import Template, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import SecurityError

from mailer.sandbox.environment import OUTPUT_LIMIT, GuardedEnvironment, LimitExceeded, metered
from mailer.templating.context import LinkUnavailable, sample_context, template_context
from mailer.templating.tracking import TrackRefused, check_calls, track, tracking
from store import templates as stored
from store.campaigns import Campaign
from store.database import Database
from store.errors import UserError
from store.header_text import PROBLEM as ENCODED_WORD_PROBLEM
from store.header_text import decodes_to_control
from store.outbox.queueing import one_line

DEFAULTS_DIR = Path(__file__).parent / "default_templates"
_REASON_LIMIT = 300
_ENVIRONMENTS = {False: GuardedEnvironment(autoescape=False), True: GuardedEnvironment(autoescape=True)}
for _environment in _ENVIRONMENTS.values():
    _environment.globals["track"] = track  # a tracked link (mailer/templating/tracking.py)


@dataclass(frozen=True)
class Rendered:
    """One email, rendered for one recipient."""

    kind: str
    language: str
    subject: str
    body: str
    body_html: str | None


class TemplateError(UserError):
    """A template that cannot be rendered, as one sentence naming kind, language and line."""

    def __init__(self, kind: str, language: str, part: str, line: int | None, reason: str) -> None:
        where = f"{part} line {line}" if line else part
        reason = re.sub(r"\s+", " ", reason).strip().rstrip(".")
        if len(reason) > _REASON_LIMIT:  # an error may quote a whole value the template built
            reason = reason[:_REASON_LIMIT] + "…"
        super().__init__(f"Template {kind} ({language}), {where}: {reason}.")
        self.kind, self.language, self.part, self.line, self.reason = kind, language, part, line, reason


def invitation_length(rendered: Rendered) -> int:
    """Characters of the rendered invitation as the influencer reads it: the body, trimmed.

    The subject is not counted: the limit is about the message, as on the platforms
    whose short invitations it imitates.
    """
    return len(rendered.body.strip())


@functools.lru_cache(maxsize=512)
def _compile(source: str, filename: str, html: bool) -> Template:
    env = _ENVIRONMENTS[html]
    tree = env.meter(env.parse(source, filename, filename))
    check_calls(tree, subject=filename.endswith(".subject"))
    code = env.compile(tree, filename, filename)
    return env.template_class.from_code(env, code, env.make_globals(None))


def _error_line(error: BaseException, filename: str) -> int | None:
    if isinstance(error, TemplateSyntaxError | TrackRefused) and error.lineno:
        return error.lineno
    lines = [frame.lineno for frame in traceback.extract_tb(error.__traceback__)
             if frame.filename == filename]
    return lines[-1] if lines else None


def _reason(error: BaseException) -> str:
    if isinstance(error, TrackRefused):
        return str(error)
    if isinstance(error, TemplateSyntaxError):
        return f"syntax error: {error.message}"
    if isinstance(error, UndefinedError):
        return f"{error.message}; check the spelling or give it a default with |default('…')"
    if isinstance(error, SecurityError):
        return f"refused by the sandbox ({str(error).rstrip('.')})"
    if isinstance(error, TypeError) and "no loader" in str(error):
        return "templates cannot include or import other templates"
    if isinstance(error, LimitExceeded | LinkUnavailable):
        return str(error)
    if isinstance(error, RecursionError):
        return "a macro calls itself too deeply"
    if isinstance(error, MemoryError):
        return "it needs too much memory"
    return f"{type(error).__name__}: {error}"


def render_text(source: str, context: dict, *, kind: str, language: str, part: str,
                html: bool = False) -> str:
    """Render one template text, or raise TemplateError naming where it failed."""
    filename = f"{kind}.{language}.{part.replace(' ', '_')}"
    if "track" in context:  # a custom variable named track stays `vars.track`: the global wins
        context = {**context, "track": track}
    try:
        template = _compile(source, filename, html)
        with metered():
            chunks, size = [], 0
            for chunk in template.generate(context):
                size += len(chunk)
                if size > OUTPUT_LIMIT:
                    raise LimitExceeded(f"its output is over {OUTPUT_LIMIT:,} characters")
                chunks.append(chunk)
    except UserError:
        raise
    except (Exception, RecursionError, MemoryError) as error:  # noqa: BLE001 - any failure is one sentence
        raise TemplateError(kind, language, part, _error_line(error, filename), _reason(error)) from None
    return "".join(chunks)


def default_template(kind: str, language: str) -> tuple[str, str] | None:
    """The built-in (subject, body) for a kind and language, or None."""
    path = DEFAULTS_DIR / f"{kind}.{language}.txt"
    number = stored.followup_number(kind)
    if not path.exists() and number:
        shipped = sorted(int(p.name.split(".")[0].split("-")[1]) for p in
                         DEFAULTS_DIR.glob(f"followup-*.{language}.txt"))
        earlier = [n for n in shipped if n <= number]
        path = DEFAULTS_DIR / f"followup-{earlier[-1]}.{language}.txt" if earlier else path
    if not path.exists():
        return None
    subject, _, body = path.read_text(encoding="utf-8").partition("\n")
    return subject.strip(), body.removeprefix("\n")


def _choose(db: Database, campaign: Campaign, kind: str, wanted: str | None,
            explicit: bool) -> tuple[str, str, str, str | None]:
    """(language, subject, body, html) of the variant to use."""
    languages = campaign.languages
    candidates = [c for c in (wanted, languages[0], "en") if c]
    for position, language in enumerate(candidates):
        row = stored.find(db, campaign.id, kind, language) if campaign.id else None
        if row:
            return language, row["subject"], row["body"], row["body_html"]
        if position == 0 and not explicit and language not in languages:
            continue  # the campaign does not speak it and nobody wrote this variant
        default = default_template(kind, language)
        if default:
            return language, default[0], default[1], None
    raise UserError(f"There is no {kind} template for campaign {campaign.name!r}.")


def render(db: Database, campaign: Campaign, kind: str, influencer: dict, *,
           language: str | None = None, extra: dict | None = None,
           source: tuple[str, str] | None = None) -> Rendered:
    """Render `kind` for `influencer` in their language (or `language`), stored template first.

    With `source` (subject, body), that text is the template instead: a moderator's edit,
    rendered with the same tokens as the campaign's own.
    """
    stored.parse_kind(kind)
    wanted = language or influencer.get("language")
    if source is not None:
        chosen = wanted or (campaign.languages)[0]
        (subject, body), html = source, None
    else:
        chosen, subject, body, html = _choose(db, campaign, kind, wanted, explicit=language is not None)
    context = template_context(campaign, influencer, extra)
    with tracking(db) as tracker:
        rendered = _render_parts(kind, chosen, subject, body, html, context)
        if not tracker.rewrites():
            return rendered
        try:  # [links] track = true
            return replace(rendered, body=tracker.rewrite(rendered.body, body) or "",
                           body_html=tracker.rewrite(rendered.body_html, html, markup=True))
        except TrackRefused as error:
            raise TemplateError(kind, chosen, "body", None, str(error)) from None


def template_source(db: Database, campaign: Campaign, kind: str, language: str) -> tuple[str, str]:
    """The (subject, body) template `kind` is rendered from in `language`."""
    _, subject, body, _ = _choose(db, campaign, kind, language, explicit=True)
    return subject, body


def _render_parts(kind: str, language: str, subject: str, body: str, html: str | None,
                  context: dict) -> Rendered:
    return Rendered(
        kind=kind, language=language,
        subject=one_line(render_text(subject, context, kind=kind, language=language, part="subject")),
        body=render_text(body, context, kind=kind, language=language, part="body"),
        body_html=(render_text(html, context, kind=kind, language=language, part="HTML body",
                               html=True) if html else None),
    )


def check_template(kind: str, language: str, subject: str, body: str, *,
                   body_html: str | None = None, custom_names: Iterable[str] = ()) -> None:
    """Compile and trial-render a template against a sample influencer; raise TemplateError."""
    if not subject.strip():
        raise TemplateError(kind, language, "subject", None, "the subject is empty")
    if not body.strip():
        raise TemplateError(kind, language, "body", None, "the body is empty")
    with tracking(None, sample=True):
        rendered = _render_parts(kind, language, subject, body, body_html, sample_context(custom_names))
    if decodes_to_control(subject) or decodes_to_control(rendered.subject):
        raise TemplateError(kind, language, "subject", None, f"it {ENCODED_WORD_PROBLEM}")
