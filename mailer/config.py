"""SMTP and dispatch settings: the TOML config file, `CALLSHEET_SMTP_URL` and the password.

The password comes from `CALLSHEET_SMTP_PASSWORD`, a `password_command`, or the file
itself when only its owner can read it. It lives in a `Secret` whose repr hides it, so it
reaches neither the database, nor the logs, nor the text of an exception.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import platformdirs

from mailer.secret import Secret, run_password_command
from store.errors import UserError

ENV_URL = "CALLSHEET_SMTP_URL"
ENV_PASSWORD = "CALLSHEET_SMTP_PASSWORD"
TLS_MODES = ("none", "starttls", "tls")
DEFAULT_PORTS = {"none": 25, "starttls": 587, "tls": 465}
SECRET_KEYS = ("password",)


def config_path() -> Path:
    """The config file in the platform's user config directory."""
    return Path(platformdirs.user_config_dir("callsheet")) / "config.toml"


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to connect; `password` is a Secret or None."""

    host: str = "localhost"
    port: int = 25
    tls: str = "starttls"
    user: str | None = None
    password: Secret | None = None
    connections: int = 4
    timeout: float = 30.0
    helo_name: str = field(default_factory=socket.gethostname)
    ca_file: str | None = None
    idle_seconds: float = 30.0
    pipelining: bool = True

    @property
    def server_key(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass(frozen=True)
class DispatchSettings:
    """How the dispatcher paces, retries and gives up."""

    rate_per_minute: int = 0
    per_hour: int = 0
    rate_period_seconds: float = 60.0
    lease_seconds: int = 300
    batch_size: int = 0
    backoff_min: int = 300
    backoff_max: int = 4000
    backoff_jitter: float = 0.1
    max_lifetime_days: float = 5.0
    breaker_failures: int = 10
    poll_seconds: float = 5.0
    unsubscribe_url: str | None = None
    unsubscribe_mailto: str | None = None
    public_url: str | None = None  # [web] public_url: the one-click page when unsubscribe_url is unset


@dataclass(frozen=True)
class Config:
    """Everything the dispatcher needs; `smtp` is None when no server is configured."""

    smtp: SmtpSettings | None
    dispatch: DispatchSettings = field(default_factory=DispatchSettings)
    path: Path | None = None

    def require_smtp(self) -> SmtpSettings:
        if self.smtp is None:
            where = self.path or config_path()
            raise UserError(f"No SMTP server is configured: set {ENV_URL} or [smtp] url in {where}.")
        return self.smtp


def load_config(path: Path | None = None, environ: dict[str, str] | None = None) -> Config:
    """Read the config file (if any) and the environment, or raise one sentence."""
    env = os.environ if environ is None else environ
    path = path or config_path()
    document = read_toml(path)
    smtp_table = dict(document.get("smtp", {}))
    dispatch = replace(_dispatch_settings(dict(document.get("dispatch", {}))),
                       public_url=load_public_url(path, env))
    url = env.get(ENV_URL, "").strip() or smtp_table.pop("url", None)
    smtp_table.pop("url", None)
    if not url and not smtp_table.get("host"):
        return Config(smtp=None, dispatch=dispatch, path=path)
    fields = _url_fields(url) if url else {}
    smtp = _smtp_settings(fields, smtp_table, env)
    return Config(smtp=smtp, dispatch=dispatch, path=path)


def load_dispatch_settings(path: Path | None = None) -> DispatchSettings:
    """Only the [dispatch] settings: for readers such as reply sync, which need no SMTP password."""
    path = path or config_path()
    settings = _dispatch_settings(dict(read_toml(path).get("dispatch", {})))
    return replace(settings, public_url=load_public_url(path))


def smtp_login(path: Path | None = None, environ: dict[str, str] | None = None) -> str | None:
    """The SMTP user name alone, without fetching the password (reply sync needs only that)."""
    env = os.environ if environ is None else environ
    table = dict(read_toml(path or config_path()).get("smtp", {}))
    url = env.get(ENV_URL, "").strip() or table.get("url")
    user = _url_fields(url).get("user") if url else None
    return user or table.get("user") or None


def check_smtp(path: Path | None = None, environ: Mapping[str, str] | None = None) -> None:
    """The [smtp] keys and the SMTP URL checked as `load_config` checks them, without running the
    password command (for `config show`)."""
    env = os.environ if environ is None else environ
    table = dict(read_toml(path or config_path()).get("smtp", {}))
    url = env.get(ENV_URL, "").strip() or table.get("url")
    table.pop("url", None)
    _check_keys("smtp", table, SMTP_KEYS)
    if url:
        _url_fields(url)


def read_toml(path: Path) -> dict[str, Any]:
    """The config file's tables, refused when others may change it or read its secret."""
    try:
        with path.open("rb") as handle:
            mode = stat.S_IMODE(os.fstat(handle.fileno()).st_mode)
            raw = handle.read()
    except FileNotFoundError:
        return {}
    except OSError as error:
        raise UserError(f"Cannot read the config file {path}: {error.strerror}.") from None
    if mode & 0o022:
        # It can name a password_command, which runs through the shell.
        raise UserError(f"The config file {path} can be changed by others (mode {mode:04o}), so it is "
                        f"not used; run chmod 600 {path}.")
    try:
        document = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise UserError(f"The config file {path} is not valid TOML: {error}.") from None
    _check_secret_mode(path, document, mode)
    return document


def _check_secret_mode(path: Path, document: dict[str, Any], mode: int) -> None:
    """Refuse a file that holds a secret and that others may read (the pgpass rule)."""
    holds_secret = any(isinstance(table, dict) and any(key in table for key in SECRET_KEYS)
                       for table in document.values())
    if holds_secret and mode & 0o077:
        raise UserError(f"The config file {path} holds a password but others can read it "
                        f"(mode {mode:04o}); run chmod 600 {path}.")


def _url_fields(url: str) -> dict[str, Any]:
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise UserError(f"{ENV_URL} must look like smtp://user@host:587?tls=starttls.")
    if parts.password is not None:
        raise UserError(f"Put the SMTP password in {ENV_PASSWORD} or password_command, not in the URL.")
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    try:
        port = parts.port
    except ValueError:
        raise UserError(f"The port in {ENV_URL} is not a number between 1 and 65535.") from None
    fields: dict[str, Any] = {"host": parts.hostname, "tls": query.pop(
        "tls", "tls" if parts.scheme == "smtps" else "starttls")}
    if port:
        fields["port"] = port
    if parts.username:
        fields["user"] = unquote(parts.username)
    if query:
        raise UserError(f"Unknown option {next(iter(query))!r} in {ENV_URL}; only tls is understood.")
    return fields


SMTP_KEYS = {"host": str, "port": int, "tls": str, "user": str, "password": str,
             "password_command": str, "connections": int, "timeout": (int, float),
             "helo_name": str, "ca_file": str, "idle_seconds": (int, float), "pipelining": bool}


def _smtp_settings(from_url: dict[str, Any], table: dict[str, Any], env: Mapping[str, str]) -> SmtpSettings:
    _check_keys("smtp", table, SMTP_KEYS)
    merged = {**table, **from_url}
    tls = merged.get("tls", "starttls")
    if tls not in TLS_MODES:
        raise UserError(f"tls must be one of {', '.join(TLS_MODES)} (got {tls!r}).")
    merged["tls"] = tls
    merged.setdefault("port", DEFAULT_PORTS[tls])
    password = _password(merged.pop("password", None), merged.pop("password_command", None), env)
    if password is not None and not merged.get("user"):
        raise UserError("An SMTP password is set but no user: add user@ to the SMTP URL.")
    if merged.get("user") and tls == "none" and not is_loopback(merged["host"]):
        raise UserError(f"Refusing to send SMTP credentials unencrypted to {merged['host']}; "
                        "use tls=starttls or tls=tls.")
    if int(merged.get("connections", 4)) < 1:
        raise UserError("connections must be at least 1.")
    return SmtpSettings(password=password, **merged)


def _password(inline: str | None, command: str | None, env: Mapping[str, str]) -> Secret | None:
    if env.get(ENV_PASSWORD):
        return Secret(env[ENV_PASSWORD])
    if command:
        return run_password_command(command)
    return Secret(inline) if inline else None


def is_loopback(host: str) -> bool:
    """Whether `host` is this machine, where plaintext credentials cannot be overheard."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


DISPATCH_KEYS = {"rate_per_minute": int, "per_hour": int, "rate_period_seconds": (int, float),
                 "lease_seconds": int, "batch_size": int, "backoff_min": int, "backoff_max": int,
                 "backoff_jitter": (int, float), "max_lifetime_days": (int, float),
                 "breaker_failures": int, "poll_seconds": (int, float), "unsubscribe_url": str,
                 "unsubscribe_mailto": str}


def _dispatch_settings(table: dict[str, Any]) -> DispatchSettings:
    _check_keys("dispatch", table, DISPATCH_KEYS)
    url = table.get("unsubscribe_url")
    if url is not None and (not url.startswith("https://") or not url.isascii()
                            or any(ch in url for ch in " <>\",") or not url.isprintable()):
        raise UserError("unsubscribe_url must be an https:// address in ASCII, without spaces, <, > "
                        "or commas.")
    mailto = table.get("unsubscribe_mailto")
    if mailto is not None:
        from store.addresses import normalise_address

        table["unsubscribe_mailto"] = normalise_address(mailto, "unsubscribe_mailto")
    negative = [key for key, value in table.items() if isinstance(value, int | float) and value < 0]
    if negative:
        raise UserError(f"{negative[0]} in [dispatch] cannot be negative.")
    return DispatchSettings(**table)


def _check_keys(section: str, table: dict[str, Any], known: dict[str, Any]) -> None:
    for key, value in table.items():
        if key not in known:
            raise UserError(f"Unknown setting {key!r} in [{section}] of the config file.")
        if not isinstance(value, known[key]) or (isinstance(value, bool) and known[key] is not bool):
            raise UserError(f"The setting {key!r} in [{section}] has the wrong type.")


@dataclass(frozen=True)
class AttachmentLimits:
    """[attachments]: bytes per outgoing message, and per part and per message kept by sync."""

    max_send_bytes: int = 10 * 1024 * 1024
    max_part_bytes: int = 25 * 1024 * 1024
    max_message_bytes: int = 50 * 1024 * 1024


ATTACHMENT_KEYS = {"max_send_bytes": int, "max_part_bytes": int, "max_message_bytes": int}


def load_attachment_limits(path: Path | None = None) -> AttachmentLimits:
    """The [attachments] size limits of the config file, the defaults for what is not set."""
    table = dict(read_toml(path or config_path()).get("attachments", {}))
    _check_keys("attachments", table, ATTACHMENT_KEYS)
    negative = [key for key, value in table.items() if value < 0]
    if negative:
        raise UserError(f"{negative[0]} in [attachments] cannot be negative.")
    return AttachmentLimits(**table)


LINKS_KEYS = {"track": bool}


def load_link_tracking(path: Path | None = None) -> bool:
    """`[links] track = true`: every plain http(s) link a template writes becomes a tracked link."""
    table = dict(read_toml(path or config_path()).get("links", {}))
    _check_keys("links", table, LINKS_KEYS)
    return bool(table.get("track", False))


ENV_PUBLIC_URL = "CALLSHEET_PUBLIC_URL"
WEB_KEYS = {"public_url": str}


def check_public_url(url: str, where: str = "public_url") -> str:
    """The base address the pages are reached at (no trailing slash): https, or http on loopback."""
    text = url.strip().rstrip("/")
    parts = urlsplit(text)
    if (parts.scheme not in ("http", "https") or not parts.hostname or not text.isascii()
            or any(ch in text for ch in " <>\"',") or parts.query or parts.fragment):
        raise UserError(f"{where} {url!r} is not an http(s) address such as https://casting.example.com.")
    if parts.scheme != "https" and not is_loopback(parts.hostname):
        raise UserError(f"{where} must be an https:// address except on this machine (got {url!r}).")
    return text


def load_public_url(path: Path | None = None, environ: Mapping[str, str] | None = None) -> str | None:
    """`CALLSHEET_PUBLIC_URL`, else `[web] public_url` from the config file, checked; None if unset."""
    env = os.environ if environ is None else environ
    table = dict(read_toml(path or config_path()).get("web", {}))
    _check_keys("web", table, WEB_KEYS)
    if env.get(ENV_PUBLIC_URL, "").strip():
        return check_public_url(env[ENV_PUBLIC_URL], ENV_PUBLIC_URL)
    if table.get("public_url", "").strip():
        return check_public_url(table["public_url"], "public_url in [web]")
    return None


_PUBLIC_URL_SEEN: dict[tuple[object, ...], str | None] = {}


def current_public_url() -> str | None:
    """`load_public_url()` for code that asks once per message: read again only when the environment
    variable or the config file changed. A bad setting is its one sentence (UserError)."""
    path = config_path()
    try:
        status = path.stat()
        stamp: tuple[int, ...] | None = (status.st_mtime_ns, status.st_size, status.st_mode)
    except OSError:
        stamp = None
    key = (os.environ.get(ENV_PUBLIC_URL, ""), str(path), stamp)
    if key not in _PUBLIC_URL_SEEN:
        _PUBLIC_URL_SEEN.clear()
        _PUBLIC_URL_SEEN[key] = load_public_url(path)
    return _PUBLIC_URL_SEEN[key]
