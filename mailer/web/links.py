"""The pages' addresses: paths here, absolute with `public_url` ([web] public_url, CALLSHEET_PUBLIC_URL)."""

from __future__ import annotations

PAGE_PREFIX = "/c/"
# A message's personal pages, each keyed by the message's own token (store/outbox/tokens.py).
ANSWER_PREFIX = "/a/"
AGREEMENT_PREFIX = "/g/"
UNSUBSCRIBE_PREFIX = "/u/"
RELATIVE_HINT = "relative: set [web] public_url or CALLSHEET_PUBLIC_URL for the full address"


def page_path(token: str) -> str:
    """The casting-call page's path for a campaign's token."""
    return f"{PAGE_PREFIX}{token}"


def apply_url(token: str | None, public_url: str | None) -> str | None:
    """The page's address as links use it: public_url + path, or the path alone without one."""
    if not token:
        return None
    return f"{public_url.rstrip('/')}{page_path(token)}" if public_url else page_path(token)


def personal_url(public_url: str, prefix: str, token: str) -> str:
    """A message's personal page (answer, agreement, unsubscribe) at the public address."""
    return f"{public_url.rstrip('/')}{prefix}{token}"
