"""The headless core never loads the UI toolkit."""

from __future__ import annotations

import subprocess
import sys


def test_store_and_mailer_do_not_load_textual() -> None:
    code = ("import pkgutil, importlib, sys, store, mailer\n"
            "for pkg in (store, mailer):\n"
            "    for mod in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
            "        importlib.import_module(mod.name)\n"
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich', 'tui'))\n"
            "print(','.join(bad))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""
