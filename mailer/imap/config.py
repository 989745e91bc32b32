"""IMAP settings (SPEC §8): `CALLSHEET_IMAP_URL` or the `[imap]` section of config.toml.

The password never sits in the URL, the config file or the database: it comes
from `CALLSHEET_IMAP_PASSWORD` or the output of `password_command`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from mailer.config import config_path, is_loopback, read_toml
from mailer.imap import folders as folder_names
from mailer.secret import run_password_command
from store.errors import UserError

ENV_URL = "CALLSHEET_IMAP_URL"
ENV_PASSWORD = "CALLSHEET_IMAP_PASSWORD"
TLS_MODES = ("none", "starttls", "tls")
DEFAULT_TIMEOUT = 30.0


@dataclass(frozen=True)
class ImapSettings:
    """Where the team's mailbox is and how to reach it."""

    host: str
    port: int
    user: str
    tls: str
    password: str = field(repr=False)
    folders: tuple[str, ...] = folder_names.DEFAULT
    timeout: float = DEFAULT_TIMEOUT

    @property
    def label(self) -> str:
        return f"{self.user}@{self.host}:{self.port}"


def parse_url(url: str) -> tuple[str, int, str, str]:
    """(host, port, user, tls) from `imap://user@host:port?tls=none|starttls|tls`."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("imap", "imaps"):
        raise UserError(f"The IMAP URL must start with imap:// (got {parts.scheme or 'nothing'}://).")
    if parts.password is not None:
        raise UserError("Put the IMAP password in CALLSHEET_IMAP_PASSWORD or password_command, "
                        "not in the URL.")
    if not parts.hostname or not parts.username:
        raise UserError("The IMAP URL needs a user and a host, e.g. imap://ana%40example.com@mail.example.com.")
    tls_values = parse_qs(parts.query).get("tls", [])
    tls = tls_values[-1].lower() if tls_values else ("tls" if parts.scheme == "imaps" else "")
    try:
        port = parts.port
    except ValueError:
        raise UserError(f"The IMAP URL has an invalid port: {url!r}.") from None
    if not tls:
        tls = "tls" if port == 993 else "starttls"
    if tls not in TLS_MODES:
        raise UserError(f"tls={tls} is not one of {', '.join(TLS_MODES)} in the IMAP URL.")
    if tls == "none" and not is_loopback(parts.hostname):
        raise UserError(f"tls=none is only allowed on loopback; {parts.hostname} needs starttls or tls.")
    return parts.hostname, port or (993 if tls == "tls" else 143), unquote(parts.username), tls


def read_config(path: Path | None = None) -> Mapping:
    """The `[imap]` table of the config file, empty when there is none."""
    path = path or config_path()
    section = read_toml(path).get("imap", {})
    if not isinstance(section, dict):
        raise UserError(f"[imap] in {path} must be a table.")
    return section


def check(environ: Mapping[str, str] | None = None, path: Path | None = None) -> None:
    """The [imap] section and the IMAP URL checked as `load` checks them, without running the
    password command (for `config show`)."""
    env = os.environ if environ is None else environ
    section = read_config(path)
    url = env.get(ENV_URL, "").strip() or str(section.get("url", "")).strip()
    if url:
        parse_url(url)
    folder_names.from_setting(section)


def load(environ: Mapping[str, str] | None = None, path: Path | None = None) -> ImapSettings:
    """The settings in force: the environment over the config file; one sentence when incomplete."""
    env = os.environ if environ is None else environ
    section = read_config(path)
    url = env.get(ENV_URL, "").strip() or str(section.get("url", "")).strip()
    if not url:
        raise UserError(f"IMAP is not configured: set {ENV_URL} or url in the [imap] section of "
                        f"{path or config_path()}.")
    host, port, user, tls = parse_url(url)
    password = env.get(ENV_PASSWORD, "")
    if not password and section.get("password_command"):
        password = run_password_command(str(section["password_command"]), "IMAP").reveal()
    if not password:
        raise UserError(f"No IMAP password: set {ENV_PASSWORD} or password_command in [imap].")
    try:
        timeout = float(section.get("timeout", DEFAULT_TIMEOUT))
    except (TypeError, ValueError):
        raise UserError("[imap] timeout must be a number of seconds.") from None
    return ImapSettings(host, port, user, tls, password, folder_names.from_setting(section), timeout)
