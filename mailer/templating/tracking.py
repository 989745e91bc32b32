"""`{{ track("https://…") }}`: a tracked link, `<public_url>/t/<message token>/<target id>`.

The address is written in the template itself, as a quoted http(s) URL: compiling checks
every call (so `template set` names the line) and the subject may hold none. Each render
runs under one `Tracker` (`tracking(db)`): it finds the target's id, registering it when the
render runs inside a write transaction (a moderator's hand edit, a bulk mail being queued:
text an operator wrote) or leaving it pending for `enqueue` to register (a preview the app
queues later), and it needs the public address of `callsheet serve`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from jinja2 import Environment, nodes

from store import clicks
from store.clock import Clock
from store.database import Database
from store.outbox.tokens import MESSAGE_TOKEN

NAME = "track"
USAGE = 'track() takes one address in quotes, such as track("https://brand.example/lookbook")'
NO_PUBLIC_URL = ("track() needs the public address of `callsheet serve` for its links: "
                 "set [web] public_url or CALLSHEET_PUBLIC_URL")
SAMPLE_PUBLIC_URL = "https://casting.example.com"
_PARSER = Environment()
# A plain link in text, for `[links] track = true`; what ends a sentence is not part of it.
_PLAIN_URL = re.compile(r"https?://[^\s<>\"'`{}|\\^]+", re.IGNORECASE)
_TRAILING = ".,;:!?)]"


class TrackRefused(Exception):
    """A track() call that cannot become a link; `lineno` when found while compiling."""

    def __init__(self, reason: str, lineno: int | None = None) -> None:
        super().__init__(reason)
        self.lineno = lineno


def _is_track(call: nodes.Call) -> bool:
    return isinstance(call.node, nodes.Name) and call.node.name == NAME


def _literal(call: nodes.Call) -> str:
    """The address a track() call names, or TrackRefused."""
    arg = call.args[0] if len(call.args) == 1 else None
    if (not isinstance(arg, nodes.Const) or not isinstance(arg.value, str) or call.kwargs
            or call.dyn_args is not None or call.dyn_kwargs is not None):
        raise TrackRefused(USAGE, call.lineno)
    problem = clicks.url_problem(arg.value)
    if problem:
        raise TrackRefused(problem, call.lineno)
    return arg.value


def check_calls(tree: nodes.Template, *, subject: bool) -> list[str]:
    """Every address the template's track() calls name, in order; TrackRefused for a bad one."""
    calls = [call for call in tree.find_all(nodes.Call) if _is_track(call)]
    called = {id(call.node) for call in calls}
    for name in tree.find_all(nodes.Name):
        if name.name != NAME or name.ctx != "load":
            continue
        if subject:
            raise TrackRefused("a subject cannot hold a tracked link; put track() in the body", name.lineno)
        if id(name) not in called:
            raise TrackRefused(USAGE, name.lineno)
    return [_literal(call) for call in calls]


def targets_in(*sources: str | None) -> list[str]:
    """The distinct addresses named by track() in template texts that already compile."""
    found: dict[str, None] = {}
    for source in sources:
        if source and NAME in source:
            found |= dict.fromkeys(check_calls(_PARSER.parse(source), subject=False))
    return list(found)


@dataclass
class Tracker:
    """How one render turns an address into its link: the database to find targets in, the address."""

    db: Database | None
    public_url: str | None = None
    sample: bool = False
    _loaded: bool = field(default=False, repr=False)
    _rewrites: bool | None = field(default=None, repr=False)

    def base(self) -> str:
        if self.sample:
            return SAMPLE_PUBLIC_URL
        if not self._loaded:
            from mailer.config import load_public_url

            self.public_url, self._loaded = load_public_url(), True
        if not self.public_url:
            raise TrackRefused(NO_PUBLIC_URL)
        return self.public_url.rstrip("/")

    def target(self, url: str) -> str:
        """The target's id as text: found, registered (inside a write transaction), or pending until
        `enqueue` registers it (a preview on a read-only view, queued later)."""
        if self.sample:
            return "0"
        found = clicks.target_id(self.db, url) if self.db is not None else None
        if found is not None:
            return str(found)
        if self.db is not None and self.db.conn.in_transaction:
            return str(clicks.register(self.db, url, Clock.from_env().now_iso()))
        return clicks.pending(url)

    def rewrites(self) -> bool:
        """Whether `[links] track = true` asks for every plain link a template writes to be tracked."""
        if self._rewrites is None:
            from mailer.config import load_link_tracking

            self._rewrites = not self.sample and load_link_tracking()
        return self._rewrites

    def rewrite(self, text: str | None, source: str | None, *, markup: bool = False) -> str | None:
        """`text` (rendered from `source`) with each plain http(s) link written in `source` tracked.

        Only addresses the template itself spells out are rewritten, never one that came from
        an influencer's data, nor a link to our own pages; in HTML the address is unescaped.
        """
        if not text or not source or not self.rewrites():
            return text
        written = {match.group(0).rstrip(_TRAILING) for match in _PLAIN_URL.finditer(source)}

        def tracked(match: re.Match[str]) -> str:
            raw = match.group(0)
            url = raw.rstrip(_TRAILING)
            target = html.unescape(url) if markup else url
            if url not in written or clicks.url_problem(target):
                return raw
            try:
                base = self.base()
            except TrackRefused:
                raise TrackRefused(NO_PUBLIC_URL.replace("track()", "[links] track = true")) from None
            return raw if target.startswith(base + "/") else self.link(target) + raw[len(url):]

        return _PLAIN_URL.sub(tracked, text) if written else text

    def link(self, url: object) -> str:
        problem = clicks.url_problem(url)
        if problem:
            raise TrackRefused(problem)
        base = self.base()
        return f"{base}{clicks.TRACK_PREFIX}{MESSAGE_TOKEN}/{self.target(str(url))}"


_CURRENT: ContextVar[Tracker | None] = ContextVar("callsheet_tracker", default=None)


@contextmanager
def tracking(db: Database | None, *, sample: bool = False) -> Iterator[Tracker]:
    """Renders inside resolve track() against `db` (or, with `sample`, against nothing at all)."""
    tracker = Tracker(db, sample=sample)
    reset = _CURRENT.set(tracker)
    try:
        yield tracker
    finally:
        _CURRENT.reset(reset)


def track(url: object) -> str:
    """The template global: this message's tracked link to `url`."""
    tracker = _CURRENT.get()
    if tracker is None:
        raise TrackRefused("track() cannot be used in this text")
    return tracker.link(url)
