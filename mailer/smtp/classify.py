"""What an SMTP failure means for the message: sent, retried later, failed for good, or stop."""

from __future__ import annotations

import re
import ssl
from dataclasses import dataclass

from aiosmtplib import (
    SMTPAuthenticationError,
    SMTPConnectError,
    SMTPNotSupported,
    SMTPResponseException,
    SMTPServerDisconnected,
    SMTPTimeoutError,
)

from mailer.smtp.mime import ComposeError

_ENHANCED = re.compile(r"^([245])\.(\d{1,3})\.(\d{1,3})\b")
# Without an enhanced status code these replies name a bad mailbox (RFC 5321 §4.2.3).
_MAILBOX_CODES = (550, 551, 553)


@dataclass(frozen=True)
class Outcome:
    """One attempt's verdict; `status` is sent, deferred, failed or halt."""

    status: str
    response: str
    bounce: bool = False
    ambiguous: bool = False
    server_down: bool = False


class SendError(Exception):
    """An SMTP failure and the stage it happened at: connect, mail, rcpt or data."""

    def __init__(self, error: BaseException, stage: str) -> None:
        super().__init__(f"{stage}: {error!r}")
        self.error = error
        self.stage = stage


def reply_text(error: SMTPResponseException) -> str:
    """The server's own words, one line: `550 5.1.1 No such user`."""
    return " ".join(f"{error.code} {error.message}".split())


def enhanced_code(message: str) -> str | None:
    match = _ENHANCED.match(message.strip())
    return ".".join(match.groups()) if match else None


def classify(error: BaseException, stage: str) -> Outcome:
    """Map an exception raised at `stage` to an Outcome (see SPEC §7 and RELIABILITY R3)."""
    if isinstance(error, ComposeError):
        return Outcome("failed", str(error))
    if isinstance(error, SMTPAuthenticationError):
        return Outcome("halt", f"SMTP authentication failed: {reply_text(error)}")
    if isinstance(error, SMTPNotSupported):
        return Outcome("halt", f"The SMTP server lacks a required feature: {error.message}")
    if isinstance(error, ssl.SSLError | ssl.CertificateError) or isinstance(
            getattr(error, "__cause__", None), ssl.SSLError):
        return Outcome("halt", f"TLS with the SMTP server failed: {error}")
    if isinstance(error, SMTPResponseException):
        return _reply_outcome(error, stage)
    if isinstance(error, SMTPTimeoutError | TimeoutError):
        return _lost(stage, "Timed out waiting for the SMTP server")
    if isinstance(error, SMTPConnectError) or stage == "connect":
        return Outcome("deferred", f"Cannot connect to the SMTP server: {_words(error)}", server_down=True)
    if isinstance(error, SMTPServerDisconnected | OSError):
        return _lost(stage, f"The SMTP server closed the connection ({_words(error)})")
    return Outcome("deferred", f"Unexpected {type(error).__name__}: {_words(error)}")


def _reply_outcome(error: SMTPResponseException, stage: str) -> Outcome:
    text = reply_text(error)
    if error.code == 421 or (stage == "connect" and 400 <= error.code < 500):
        return Outcome("deferred", text, server_down=True)
    if stage == "connect":
        return Outcome("halt", f"The SMTP server refused the session: {text}")
    if 400 <= error.code < 500:
        return Outcome("deferred", text)
    if error.code < 500:
        # A reply outside 4xx/5xx where 2xx/3xx was due: the session is confused; retry later.
        return Outcome("deferred", f"Unexpected SMTP reply: {text}")
    enhanced = enhanced_code(error.message)
    bad_mailbox = enhanced.startswith("5.1.") if enhanced else error.code in _MAILBOX_CODES
    return Outcome("failed", text, bounce=stage == "rcpt" and bad_mailbox)


def _lost(stage: str, text: str) -> Outcome:
    """A dropped connection or timeout; after the data went out it may have been delivered (RFC 1047)."""
    if stage == "data":
        return Outcome("deferred", f"{text} after the message was sent; delivery unconfirmed",
                       ambiguous=True)
    return Outcome("deferred", text, server_down=stage == "connect")


def _words(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return text or type(error).__name__
