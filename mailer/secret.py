"""A password that never shows itself: not in repr, str, logs or exception text."""

from __future__ import annotations

import subprocess

from store.errors import UserError

PASSWORD_COMMAND_TIMEOUT = 30


class Secret:
    """Holds a secret string; only `reveal()` gives it back."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self) -> tuple:
        raise TypeError("a Secret cannot be pickled")


def run_password_command(command: str, service: str = "SMTP") -> Secret:
    """Run a `password_command` through the shell (as msmtp's passwordeval); keep its first line."""
    name = f"The {service} password_command"
    try:
        done = subprocess.run(command, shell=True, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                              timeout=PASSWORD_COMMAND_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise UserError(f"{name} did not finish within {PASSWORD_COMMAND_TIMEOUT} s.") from None
    if done.returncode != 0:
        raise UserError(f"{name} exited with status {done.returncode}.")
    password = done.stdout.split("\n", 1)[0].rstrip("\r")
    if not password:
        raise UserError(f"{name} printed nothing.")
    return Secret(password)
