"""Every key binding the app declares: the app's, each screen's and dialog's, and the widgets'."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from dataclasses import dataclass

from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode

import tui

# How a key is written in the README: Textual's names for the few that are punctuation.
SPELLED = {"escape": "esc", "question_mark": "?", "slash": "/", "backslash": "\\",
           "exclamation_mark": "!", "plus": "+", "minus": "-", "semicolon": ";"}


@dataclass(frozen=True)
class Key:
    owner: type
    key: str  # as the README writes it
    description: str
    shown: bool


def _classes() -> list[type]:
    """Every class in the `tui` package that declares BINDINGS of its own."""
    found: dict[str, type] = {}
    for module_info in pkgutil.walk_packages(tui.__path__, "tui."):
        module = importlib.import_module(module_info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if (cls.__module__.startswith("tui.") and issubclass(cls, DOMNode | App)
                    and "BINDINGS" in cls.__dict__):
                found[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return list(found.values())


def declared() -> list[Key]:
    keys = []
    for cls in _classes():
        for binding in cls.__dict__["BINDINGS"]:
            bound = binding if isinstance(binding, Binding) else Binding(*binding)
            for name in bound.key.split(","):
                name = name.strip()
                keys.append(Key(cls, SPELLED.get(name, name), bound.description, bound.show))
    return keys
