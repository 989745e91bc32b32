"""`callsheet config show`: every setting in force, where it comes from, its secret masked.

It reads and checks the file as the commands that use it do, but never runs a `password_command`:
showing the settings must not ask a password manager for anything.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mailer import config
from mailer.imap import config as imap_config
from store.clock import ENV_NOW, ENV_NOW_FILE
from store.operators import ENV_USER

MASK = "********"
SECTIONS = ("smtp", "imap", "dispatch", "links", "web", "attachments")
SECRET_KEYS = frozenset(config.SECRET_KEYS)
# An environment variable that stands in for one key of the file (and wins over it).
OVERRIDES = (
    (config.ENV_URL, "smtp", "url"),
    (config.ENV_PASSWORD, "smtp", "password"),
    (imap_config.ENV_URL, "imap", "url"),
    (imap_config.ENV_PASSWORD, "imap", "password"),
    (config.ENV_PUBLIC_URL, "web", "public_url"),
)
SECRET_ENV = frozenset({config.ENV_PASSWORD, imap_config.ENV_PASSWORD})
# Variables that change how every command behaves, outside the file's sections.
GLOBAL_ENV = (ENV_NOW, ENV_NOW_FILE, ENV_USER)


@dataclass(frozen=True)
class Setting:
    """One setting as `config show` prints it: its value spelled as TOML, masked when secret."""

    section: str
    key: str
    value: Any  # as read, or MASK for a secret
    source: str  # "config file", or the environment variable that set it

    @property
    def shown(self) -> str:
        """The value as it would be written in config.toml (the mask as it is)."""
        return MASK if self.value is MASK else _toml(self.value)


@dataclass(frozen=True)
class ConfigView:
    path: Path
    mode: int | None  # None: there is no file
    settings: tuple[Setting, ...]

    def as_json(self) -> dict[str, Any]:
        return {"path": str(self.path), "exists": self.mode is not None,
                "mode": None if self.mode is None else f"{self.mode:04o}",
                "settings": [vars(each) for each in self.settings]}


def config_view(path: Path | None = None, environ: Mapping[str, str] | None = None) -> ConfigView:
    """The settings in force, or the one sentence (UserError) the commands would say about the file."""
    env = os.environ if environ is None else environ
    path = path or config.config_path()
    document = config.read_toml(path)
    _check(path, env)
    settings = [*_file_settings(document, env), *_environment(env)]
    order = {name: index for index, name in enumerate((*SECTIONS, "environment"))}
    settings.sort(key=lambda each: order.get(each.section, len(order)))
    return ConfigView(path, _mode(path), tuple(settings))


def _check(path: Path, env: Mapping[str, str]) -> None:
    """Each section checked by its own reader, short of running a password command."""
    config.check_smtp(path, env)
    imap_config.check(env, path)
    config.load_dispatch_settings(path)
    config.load_link_tracking(path)
    config.load_public_url(path, env)
    config.load_attachment_limits(path)


def _file_settings(document: Mapping[str, Any], env: Mapping[str, str]) -> list[Setting]:
    found = []
    for section, table in document.items():
        if not isinstance(table, dict):
            continue
        for key, value in table.items():
            if not _overridden(section, key, env):
                found.append(Setting(section, key, MASK if key in SECRET_KEYS else value, "config file"))
    for name, section, key in OVERRIDES:
        if env.get(name, "").strip():
            found.append(Setting(section, key, MASK if name in SECRET_ENV else env[name].strip(), name))
    return found


def _overridden(section: str, key: str, env: Mapping[str, str]) -> bool:
    return any(env.get(name, "").strip() and (section, key) == (where, what)
               for name, where, what in OVERRIDES)


def _environment(env: Mapping[str, str]) -> list[Setting]:
    return [Setting("environment", name, env[name].strip(), name)
            for name in GLOBAL_ENV if env.get(name, "").strip()]


def _toml(value: Any) -> str:
    """A value as it would be written in config.toml."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(each) for each in value) + "]"
    return json.dumps(value if isinstance(value, str) else str(value), ensure_ascii=False)


def _mode(path: Path) -> int | None:
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return None
