"""A moderator's edit is a template for its one recipient (issue 11.6): CLI, sources, and refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailer.outreach.invitation_edit import open_edit
from mailer.templating.drafting import Renderer
from mailer.templating.rendering import default_template
from store.clock import Clock
from store.db import Store
from tests.cli_helpers import assert_user_error, run, run_json
from tests.outreach_helpers import add_influencers, rows


@pytest.fixture
def workspace(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A Paris campaign (en, fr; limit 60) with two planned invitations; Monday evening in Paris."""
    monkeypatch.setenv("CALLSHEET_NOW", "2026-11-23T18:00:00+00:00")
    assert run(db_path, "campaign", "create", "Spring", "--sender", "casting@brand.example",
               "--sender-name", "Brand Casting", "--timezone", "Europe/Paris", "--daily-cap", "2",
               "--languages", "en,fr", "--invite-limit", "60", "--segment", "followers>=0").exit_code == 0
    store = Store(db_path, Clock.from_env(), actor="tester")
    add_influencers(store, 2, language="en", custom={"code": "SPRING-7"})
    store.close()
    assert run_json(db_path, "plan")["planned"] == 2
    return db_path


def invitations(db_path: Path) -> list[dict]:
    store = Store(db_path, Clock.from_env(), actor="tester")
    try:
        return rows(store, """SELECT m.id, m.subject, m.body, m.status, m.flags, m.language, i.first_name
                              FROM messages m JOIN influencers i ON i.id = m.influencer_id
                              WHERE m.kind = 'invitation' ORDER BY m.id""")
    finally:
        store.close()


def edit(db_path: Path, message_id: int, body: str, *subject: str):
    return run(db_path, "moderation", "edit", str(message_id), *subject, "--body-file", "-", input=body)


def test_an_edit_is_rendered_for_its_recipient(workspace: Path) -> None:
    first = invitations(workspace)[0]
    result = edit(workspace, first["id"], "Hi {{ firstName }}, {{ campaign.name }} by {{ sender.name }}: "
                  "{{ code }}", "--subject", "For {{ firstName }}")
    assert result.exit_code == 0, result.output
    after = invitations(workspace)[0]
    expected = f"Hi {first['first_name']}, Spring by Brand Casting: SPRING-7"
    assert (after["subject"], after["body"]) == (f"For {first['first_name']}", expected)
    assert f"#{first['id']} edited: {len(expected)}/60 characters, queued." in result.stdout
    assert run(workspace, "moderation", "show", str(first["id"])).stdout.endswith(expected + "\n")


def test_an_edit_without_a_subject_keeps_the_subject_template(workspace: Path) -> None:
    first = invitations(workspace)[0]
    assert edit(workspace, first["id"], "Hi {{ firstName }}").exit_code == 0
    after = invitations(workspace)[0]
    assert after["subject"] == first["subject"] and "{{" not in after["subject"]
    assert after["body"] == f"Hi {first['first_name']}"


def test_the_limit_is_checked_on_the_rendered_text(workspace: Path) -> None:
    first, second = invitations(workspace)
    short_source = "{{ 'word ' * 20 }}"
    result = edit(workspace, first["id"], short_source)
    assert "99/60 characters, planned (over_limit)" in result.stdout  # trimmed, as sent
    long_source = "{# " + "a note for the moderators " * 5 + "#}Hi {{ firstName }}"
    assert len(long_source) > 60
    result = edit(workspace, second["id"], long_source)
    rendered = f"Hi {second['first_name']}"
    assert f"#{second['id']} edited: {len(rendered)}/60 characters, queued." in result.stdout


@pytest.mark.parametrize(("source", "fragment"), [
    ("Hi {{ fistName }}", "Template invitation (en), body line 1: 'fistName' is undefined"),
    ("Hi\n{{ firstName }", "Template invitation (en), body line 2: syntax error"),
    ("{{ ('{0:99999}' * 11000).format(1) }}", "it builds a formatted value too large"),
    ("   \n", "An invitation cannot be empty."),
])
def test_a_template_error_is_one_sentence_and_changes_nothing(workspace: Path, source: str,
                                                              fragment: str) -> None:
    before = invitations(workspace)
    audit = len(run_json(workspace, "audit"))
    assert_user_error(edit(workspace, before[0]["id"], source), fragment)
    assert invitations(workspace) == before
    assert len(run_json(workspace, "audit")) == audit


def test_a_subject_error_names_the_subject(workspace: Path) -> None:
    before = invitations(workspace)
    assert_user_error(edit(workspace, before[0]["id"], "Hi", "--subject", "{{ nope }}"),
                      "Template invitation (en), subject line 1: 'nope' is undefined")
    assert invitations(workspace) == before


def test_a_re_edit_starts_from_the_source_and_a_language_change_from_the_template(workspace: Path) -> None:
    first = invitations(workspace)[0]
    store = Store(workspace, Clock.from_env(), actor="tester")
    try:
        unedited = open_edit(store.reader(), first["id"], Renderer.default())
        assert (unedited.subject, unedited.body) == default_template("invitation", "en")
        done = edit(workspace, first["id"], "Hi {{ firstName }}", "--subject", "S {{ handle }}")
        assert done.exit_code == 0
        edited = open_edit(store.reader(), first["id"], Renderer.default())
        assert (edited.subject, edited.body) == ("S {{ handle }}", "Hi {{ firstName }}")
        assert run(workspace, "moderation", "language", str(first["id"]), "fr").exit_code == 0
        french = open_edit(store.reader(), first["id"], Renderer.default())
        assert (french.subject, french.body) == default_template("invitation", "fr")
    finally:
        store.close()
    assert invitations(workspace)[0]["language"] == "fr"


def test_an_unsendable_subject_is_refused(workspace: Path) -> None:
    before = invitations(workspace)
    assert_user_error(edit(workspace, before[0]["id"], "Hi", "--subject", "Hi =?UTF-8?Q?=0D=0A?="),
                      "The subject holds an encoded-word (=?…?=) that decodes to a line break")
    assert invitations(workspace) == before


def test_a_hand_made_invitation_is_rendered_with_its_own_sender(db_path: Path) -> None:
    assert run(db_path, "operator", "add", "tester", "--role", "manager", "--from", "me@brand.example",
               "--name", "Me").exit_code == 0
    assert run(db_path, "campaign", "create", "Glow").exit_code == 0  # no sender: the operator's is used
    store = Store(db_path, Clock.from_env(), actor="tester")
    add_influencers(store, 1)
    store.close()
    assert run(db_path, "invite", "Glow", "person0").exit_code == 0
    [planned] = invitations(db_path)
    done = edit(db_path, planned["id"], "{{ firstName }}, from {{ sender.name }} <{{ sender.email }}>")
    assert done.exit_code == 0, done.output
    assert invitations(db_path)[0]["body"] == "P0, from Me <me@brand.example>"
