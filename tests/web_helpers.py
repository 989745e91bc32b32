"""Submitting the pages' forms as a browser does: GET the page, send back the token it holds."""

from __future__ import annotations

import re
from typing import Any

from httpx import Response

_TOKEN = re.compile(r'<input type="hidden" name="csrf" value="([^"]*)">')


def csrf_of(page: Response | str) -> str:
    """The form token a page holds."""
    text = page if isinstance(page, str) else page.text
    found = _TOKEN.search(text)
    assert found, "the page holds no form token"
    return found.group(1)


def submit(client: Any, path: str, data: dict[str, Any] | None = None, *, token: str | None = None,
           **options: Any) -> Response:
    """POST `data` to `path` with `token`, else the one its GET page gives (the client keeps the cookie)."""
    token = token if token is not None else csrf_of(client.get(path))
    return client.post(path, data={**(data or {}), "csrf": token}, **options)
