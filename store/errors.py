"""Errors that carry one sentence meant for the person at the keyboard."""

from __future__ import annotations


class UserError(Exception):
    """Bad input or an illegal action: shown as one sentence, never as a traceback."""

    def __init__(self, sentence: str) -> None:
        super().__init__(sentence)
        self.sentence = sentence

    def __str__(self) -> str:
        return self.sentence


class NotFound(UserError):
    """A named record (handle, campaign, template…) does not exist."""


class Forbidden(UserError):
    """The operator's role does not allow the action."""
