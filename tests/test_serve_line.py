"""The line `callsheet serve` (and the demo) prints first: where the pages are, and their public address."""

from __future__ import annotations

import pytest

from tui.commands.serve import _public_part


@pytest.mark.parametrize(("public_url", "end"), [
    ("http://127.0.0.1:8025", "."),  # the demo: its public address is where it listens
    ("http://127.0.0.1:8025/", "."),
    ("https://cast.brand.example", " (public address https://cast.brand.example)."),
    (None, "; set [web] public_url or CALLSHEET_PUBLIC_URL for the links' address."),
])
def test_the_public_address_is_named_only_when_it_differs(public_url: str | None, end: str) -> None:
    assert _public_part("http://127.0.0.1:8025", public_url) == end
