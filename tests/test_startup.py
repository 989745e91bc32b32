"""`callsheet tui` reaches its first frame without the modules only other commands and modes need."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from store.db import Store

ROOT = Path(__file__).resolve().parents[1]
# Run in a fresh interpreter: the CLI's entry module, the store through the CLI's context, the app
# headless; at its first painted frame, print which of the watched modules are loaded.
CHILD = """
import json, os, sys
import tui.cli
from tui.app import make_app
from tui.context import CliContext

app = make_app(CliContext.named(None).store)

def first_frame():
    loaded = sorted(name for name in sys.modules
                    if any(name == watched or name.startswith(watched + ".") for watched in sys.argv[1:]))
    print(json.dumps(loaded), flush=True)
    os._exit(0)

app.post_display_hook = first_frame

async def run():
    async with app.run_test(size=(120, 40)):
        pass

import asyncio
asyncio.run(run())
"""
# mailer.web.links (the pages' paths, plain constants) is the one part of mailer.web mail needs.
NOT_BEFORE_FIRST_FRAME = ("tui.commands", "tui.screens.inbox", "tui.screens.moderation", "tui.screens.outbox",
                          "mailer.web.app", "mailer.web.server", "mailer.web.personal", "mailer.web.clicks",
                          "mailer.daemon", "mailer.dispatch.dispatcher", "mailer.imap",
                          "mailer.actions.sending", "starlette", "uvicorn", "aiosmtplib", "openpyxl",
                          "sqlite_utils", "store.schema",  # the migrations: only for a database behind
                          "mailer.actions.pipeline", "mailer.actions.campaigns",  # with the first decision
                          "tui.widgets.confirm", "store.reply_signal", "email.headerregistry",
                          # Loaded with the first email composed, resume or edit, and dialog opened:
                          "jinja2", "mailer.templating.rendering", "mailer.outreach.planner",
                          "tui.screens.campaign_settings", "tui.screens.invite_modal", "tui.screens.help")


def test_first_frame_loads_no_other_command_or_mode(store: Store) -> None:
    env = {**os.environ, "CALLSHEET_DB": str(store.path), "CALLSHEET_NOW": store.now_iso()}
    child = subprocess.run([sys.executable, "-c", CHILD, *NOT_BEFORE_FIRST_FRAME, "tui.screens.pipeline"],
                           cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    loaded = json.loads(child.stdout.strip().splitlines()[-1])
    assert loaded == ["tui.screens.pipeline"], child.stderr  # the first mode, and nothing listed


def test_a_command_loads_its_module_when_it_runs(store: Store) -> None:
    probe = ("import sys\nfrom click.testing import CliRunner\nimport tui.cli\n"
             "before = 'tui.commands.inbox' in sys.modules\n"
             "result = CliRunner().invoke(tui.cli.main, ['inbox'])\n"
             "print(before, 'tui.commands.inbox' in sys.modules, result.exit_code)")
    env = {**os.environ, "CALLSHEET_DB": str(store.path), "CALLSHEET_NOW": store.now_iso()}
    child = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True,
                           timeout=120)
    assert child.stdout.split() == ["False", "True", "0"], child.stderr


def test_uv_run_prints_only_what_the_command_prints() -> None:
    # `uv run` in the README's commands: no "Bytecode compiled N files" line before every command.
    uv = shutil.which("uv")
    assert uv, "the README's commands need uv"
    child = subprocess.run([uv, "run", "--frozen", "callsheet", "--help"], cwd=ROOT, capture_output=True,
                           text=True, timeout=300)
    assert child.returncode == 0, child.stderr
    assert child.stderr == "" and child.stdout.startswith("Usage: callsheet")
