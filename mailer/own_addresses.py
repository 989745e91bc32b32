"""Our addresses that only the config knows (the SMTP login): mail from them is our own."""

from __future__ import annotations

from mailer.config import smtp_login
from store.addresses import address_problem


def configured() -> tuple[str, ...]:
    """The SMTP login when it is an email address; campaign senders and operators are in the store."""
    login = smtp_login()
    return (login,) if login and address_problem(login) is None else ()
