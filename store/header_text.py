"""Text bound for a mail header, checked where it enters: no encoded-word that decodes to a control.

An RFC 2047 encoded-word such as `=?UTF-8?Q?=0D=0A?=` is plain text to us, but the email
package decodes it when the header is built (CPython gh-121650): the message then fails
at dispatch, long after whoever typed it has gone. So subjects, sender names and
addresses are read here as the email package will read them, and refused with one
sentence naming the field when that reading holds a line break or another control.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

from store.errors import UserError

if TYPE_CHECKING:
    from email.headerregistry import HeaderRegistry

# C0 and C1 controls, DEL, and the line and paragraph separators.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
PROBLEM = ("holds an encoded-word (=?…?=) that decodes to a line break or a control character, "
           "which mail cannot carry")


@cache
def _registry() -> HeaderRegistry:
    """The email package's header parser, loaded with the first name checked (not at every start)."""
    from email.headerregistry import HeaderRegistry

    return HeaderRegistry()


def _readings(text: str) -> list[str]:
    """The text as the email package shows it in an unstructured header and as a display name."""
    from email.headerregistry import Address

    readings = [str(_registry()("subject", text))]
    try:
        readings.append(str(_registry()("from", Address(display_name=text, username="a",
                                                       domain="example.com"))))
    except (ValueError, IndexError, TypeError):
        readings.append(text)  # not a display name; the unstructured reading still counts
    return readings


def decodes_to_control(text: str) -> bool:
    """True when an encoded-word in `text` decodes to a line break or a control character."""
    if "=?" not in text:
        return False
    plain = _CONTROL.sub(" ", text)  # raw controls are folded where the text is stored
    return any(_CONTROL.search(reading) for reading in _readings(plain))


def check_header_text(text: str | None, field: str) -> None:
    """Refuse header-bound text whose encoded-words decode to a control; `field` names it."""
    if text and decodes_to_control(text):
        raise UserError(f"{field} {PROBLEM}.")
