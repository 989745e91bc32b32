"""The README's reference sections are complete: every command and option in Commands, every key
binding in Keys (under its mode), every config key and environment variable in Configuration.

Each check reads its own section (by heading), so a name mentioned elsewhere does not count;
the query keys and keywords must be in Query syntax too.
"""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from mailer import config
from tests.bindings import declared
from tests.readme_sections import README, section, subsections
from tui.app import CallsheetApp
from tui.cli import main
from tui.screens.campaign_settings import CampaignSettings, ClosingTime
from tui.screens.compose_modal import ComposeModal
from tui.screens.contact_editor import ContactEditor
from tui.screens.help import HelpScreen
from tui.screens.inbox import InboxScreen
from tui.screens.inbox_modals import FilterModal, FolderModal, NoteModal, PickModal
from tui.screens.invitation_editor import InvitationEditor
from tui.screens.invite_modal import InviteModal
from tui.screens.message_view import MessageScreen
from tui.screens.moderation import ModerationScreen
from tui.screens.outbox import OutboxScreen
from tui.screens.pipeline import PipelineScreen
from tui.screens.table_screen import TableScreen
from tui.widgets.confirm import ConfirmScreen
from tui.widgets.conversation_list import ConversationList
from tui.widgets.invitation_list import InvitationList
from tui.widgets.timeline_view import TimelineView

ROOT = Path(__file__).parent.parent

# Where each class's keys are documented: a `###` under Keys, or a row of its Dialogs table.
MODES: dict[type, str] = {
    CallsheetApp: "Everywhere", PipelineScreen: "Pipeline", InboxScreen: "Inbox",
    ConversationList: "Inbox", TimelineView: "Inbox", ModerationScreen: "Moderation",
    InvitationList: "Moderation", OutboxScreen: "Outbox", TableScreen: "Outbox",
    MessageScreen: "A message",
}
DIALOGS: dict[type, str] = {
    ConfirmScreen: "Confirm", HelpScreen: "Help", ComposeModal: "Compose, reply and bulk",
    NoteModal: "Note", ContactEditor: "Contact editor", InvitationEditor: "Invitation editor",
    FilterModal: "Inbox filter", FolderModal: "Folder",
    PickModal: "Picker (invite to, unmatched mail, bounces)", InviteModal: "Invite…",
    CampaignSettings: "Campaign settings", ClosingTime: "Closing time",
}


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    """Every command below `group`, the lazily imported ones loaded (as `--help` lists them)."""
    found = []
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, name
        path = f"{prefix}{name}"
        found.append((path, command))
        if isinstance(command, click.Group):
            found.extend(_commands(command, f"{path} "))
    return found


# --- Commands ---------------------------------------------------------------------------------

def missing_commands(readme: str) -> list[str]:
    text = section(readme, "Commands")
    return [path for path, _ in _commands(main) if f"callsheet {path}" not in text]


def missing_options(readme: str) -> list[str]:
    text = section(readme, "Commands")
    missing = []
    for path, command in [("", main), *_commands(main)]:
        for param in command.params:
            for option in [*getattr(param, "opts", []), *getattr(param, "secondary_opts", [])]:
                if option.startswith("--") and not re.search(rf"{re.escape(option)}(?![\w-])", text):
                    missing.append(f"{path} {option}")
    return missing


def test_every_command_is_in_the_commands_section() -> None:
    assert missing_commands(README) == []


def test_every_option_is_in_the_commands_section() -> None:
    assert missing_options(README) == []


# --- Keys -------------------------------------------------------------------------------------

def _dialog_row(keys_text: str, dialog: str) -> str:
    rows = [line for line in section(keys_text, "Dialogs").splitlines() if line.startswith(f"| {dialog} |")]
    assert len(rows) == 1, f"the Dialogs table needs one row for {dialog!r}"
    return rows[0]


def missing_keys(readme: str) -> list[str]:
    keys_text = "\n" + section(readme, "Keys")
    modes = subsections(keys_text, 3)
    missing = []
    for key in declared():
        if key.owner in DIALOGS:
            where = _dialog_row(keys_text, DIALOGS[key.owner])
        else:
            where = modes.get(MODES.get(key.owner, ""), "")  # an unplaced class: all its keys missing
        if f"`{key.key}`" not in where:
            missing.append(f"{key.owner.__name__}: {key.key} ({key.description or 'no description'})")
    return missing


def test_every_screen_with_keys_has_its_place_in_the_keys_section() -> None:
    """A new screen, dialog or widget with bindings must be given a place here (and in the README)."""
    owners = {key.owner for key in declared()}
    assert owners - set(MODES) - set(DIALOGS) == set()


def test_every_key_binding_is_in_the_keys_section_under_its_mode() -> None:
    assert missing_keys(README) == []


def test_keys_named_in_the_walkthrough_are_real_bindings() -> None:
    """The walkthrough names keys in backticks; each one is bound somewhere (no invented keys)."""
    walkthrough = section(README, "Five minutes: a casting call, from import to collaboration")
    bound = {key.key for key in declared()} | {"ctrl+p", "tab"}
    commands = {path for path, _ in _commands(main)}
    named = {word for word in re.findall(r"`([^`\s]{1,6})`", walkthrough)
             if not word.startswith(("-", "@", "[")) and word not in commands}
    assert named - bound == set()


# --- Query syntax -----------------------------------------------------------------------------

def missing_query_words(readme: str) -> list[str]:
    from store.query.terms import ALIASES, HAS, KEYS
    from store.query.tokens import KEYWORDS

    text = section(readme, "Query syntax")
    keys = [key for key in [*KEYS, *ALIASES] if not re.search(rf"`-?{key}[:=<>.`]", text)]
    words = [word for word in [*KEYWORDS, *(f"has:{what}" for what in HAS)] if f"`{word}" not in text]
    return keys + words


def test_every_query_key_and_keyword_is_in_the_query_syntax_section() -> None:
    assert missing_query_words(README) == []


# --- Configuration ----------------------------------------------------------------------------

def _config_keys() -> dict[str, list[str]]:
    """Every key each config.toml section accepts, from the tables the loaders check against."""
    imap_source = "\n".join(path.read_text(encoding="utf-8") for path in (ROOT / "mailer/imap").glob("*.py"))
    imap = sorted(set(re.findall(r"""section(?:\.get\(|\[)["'](\w+)["']""", imap_source)))
    return {"smtp": ["url", *config.SMTP_KEYS], "imap": imap, "dispatch": list(config.DISPATCH_KEYS),
            "web": list(config.WEB_KEYS), "links": list(config.LINKS_KEYS),
            "attachments": list(config.ATTACHMENT_KEYS)}


def _environment_variables() -> set[str]:
    found: set[str] = set()
    for package in ("store", "mailer", "tui"):
        for path in (ROOT / package).rglob("*.py"):
            found.update(re.findall(r"""["'](CALLSHEET_[A-Z_]+)["']""", path.read_text(encoding="utf-8")))
    return found


def missing_settings(readme: str) -> list[str]:
    text = "\n" + section(readme, "Configuration")
    tables = subsections(text, 3)
    missing = []
    for name, keys in _config_keys().items():
        where = tables.get(f"`[{name}]`")
        if where is None:
            missing.append(f"[{name}] (no heading)")
            continue
        missing += [f"[{name}] {key}" for key in keys if f"`{key}`" not in where]
    missing += sorted(name for name in _environment_variables() if f"`{name}`" not in text)
    return missing


def test_the_config_sections_are_the_ones_config_show_knows() -> None:
    from mailer.config_view import SECTIONS

    assert set(_config_keys()) == set(SECTIONS)


def test_every_config_key_and_variable_is_in_the_configuration_section() -> None:
    known = {key for keys in _config_keys().values() for key in keys}
    assert {"max_send_bytes", "folders", "pipelining"} <= known  # the schema was found at all
    assert missing_settings(README) == []


# --- The checks fail when something is missing ------------------------------------------------

def _without(readme: str, line_start: str) -> str:
    lines = readme.splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith(line_start)]
    assert len(kept) == len(lines) - 1, line_start
    return "".join(kept)


@pytest.mark.parametrize(("line", "check", "expected"), [
    ("| `callsheet note HANDLE TEXT`", missing_commands, "note"),
    ("| `x` | cancel the selected message", missing_keys, "OutboxScreen: x (Cancel)"),
    ("| `idle_seconds` |", missing_settings, "[smtp] idle_seconds"),
    ("| `has:email`, `has:address`, `has:notes` |", missing_query_words,
     ["has", "has:email", "has:address", "has:notes"]),
], ids=["command", "key", "config", "query"])
def test_a_line_taken_out_is_reported(line: str, check, expected: str | list[str]) -> None:
    assert check(README) == []
    assert check(_without(README, line)) == (expected if isinstance(expected, list) else [expected])


def test_a_name_elsewhere_in_the_readme_does_not_count() -> None:
    """The Outbox's `x` is also in The app's prose: out of its Keys table it is still missing."""
    assert "`x` cancels it" in section(README, "The app")
    assert "OutboxScreen: x (Cancel)" in missing_keys(_without(README, "| `x` | cancel the selected message"))
