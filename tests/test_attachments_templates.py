"""A template's files: stored on the template, added to every message queued from it."""

from __future__ import annotations

from pathlib import Path

from store.db import Store
from tests.cli_helpers import assert_user_error, run
from tests.dispatch_helpers import write_config
from tests.pipeline_helpers import add_influencer, make_campaign

AGREEMENT = b"%PDF-1.7\nthe agreement\n%%EOF\n"
BODY = "Hi {{ firstName }}, welcome aboard: the agreement is attached."


def _files_of(store: Store, kind: str) -> list[tuple[str, str, bytes]]:
    return [tuple(row) for row in store.reader().execute(
        """SELECT i.handle, l.filename, a.sha256 FROM message_attachments l
           JOIN messages m ON m.id = l.message_id JOIN influencers i ON i.id = m.influencer_id
           JOIN attachments a ON a.id = l.attachment_id WHERE m.kind = ? ORDER BY i.handle, l.position""",
        [kind])]


def _set(db_path: Path, body: Path, *extra: str):
    return run(db_path, "template", "set", "Spring", "accepted", "--lang", "en", "--subject",
               "You are in, {{ firstName }}", "--body-file", str(body), *extra)


def test_every_message_from_the_template_carries_its_file(store: Store, db_path: Path,
                                                          tmp_path: Path) -> None:
    make_campaign(store)
    for handle in ("ana", "bob"):
        add_influencer(store, handle)
    body, agreement = tmp_path / "body.txt", tmp_path / "agreement.pdf"
    body.write_text(BODY)
    agreement.write_bytes(AGREEMENT)
    saved = _set(db_path, body, "--attach", str(agreement))
    assert saved.exit_code == 0 and "with 1 attachment." in saved.stdout, saved.output
    agreement.unlink()  # kept in the store: the template no longer needs the file
    _set(db_path, body)  # a new text without --attach keeps the file
    shown = run(db_path, "template", "show", "Spring", "accepted", "--lang", "en")
    assert "Attached: agreement.pdf (29 B)" in shown.stdout, shown.output
    for handle in ("ana", "bob"):
        assert run(db_path, "apply", "Spring", handle).exit_code == 0
    assert run(db_path, "decide", "Spring", "ana", "bob", "accept", "--yes").exit_code == 0
    files = _files_of(store, "accepted")
    assert [(handle, name) for handle, name, _ in files] == [("ana", "agreement.pdf"),
                                                             ("bob", "agreement.pdf")]
    assert len({sha for _, _, sha in files}) == 1
    assert store.reader().execute("SELECT count(*) FROM attachments").fetchone()[0] == 1


def test_no_attach_removes_the_files_and_the_limit_holds(store: Store, db_path: Path, tmp_path: Path) -> None:
    make_campaign(store)
    add_influencer(store, "ana")
    body, agreement = tmp_path / "body.txt", tmp_path / "agreement.pdf"
    body.write_text(BODY)
    agreement.write_bytes(AGREEMENT)
    assert _set(db_path, body, "--attach", str(agreement)).exit_code == 0
    assert _set(db_path, body, "--no-attach").exit_code == 0
    run(db_path, "apply", "Spring", "ana")
    run(db_path, "decide", "Spring", "ana", "accept", "--yes")
    assert _files_of(store, "accepted") == []
    write_config("[attachments]\nmax_send_bytes = 10\n")
    assert_user_error(_set(db_path, body, "--attach", str(agreement)), "over the limit of 10 B per message")
    assert_user_error(_set(db_path, body, "--attach", str(agreement), "--no-attach"), "not both")
