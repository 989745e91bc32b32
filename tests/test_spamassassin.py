"""Deliverability with files attached, judged by the real SpamAssassin (Debian's, local tests only).

The same message is sent plain and with a PDF and a text file through the real SMTP sink; SpamAssassin
scores the bytes the sink received. Attaching files must fire no rule the plain mail does not, and no
structural MIME rule at all.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from mailer.dispatch.dispatcher import Dispatcher
from store.db import Store
from tests.cli_helpers import run
from tests.dispatch_helpers import make_config, start_sink
from tests.inbox_helpers import add_campaign, add_influencer
from tests.programs import required
from tests.test_attachments_outgoing import PDF

# Rules about the message's structure (MIMEEval, header checks), as SpamAssassin names them.
STRUCTURAL = re.compile(r"^(MIME_|MPART_|MISSING_|CTYPE_|__CTE|BASE64_|HTML_MIME|MULTIPART_|EMPTY_MESSAGE)")


def _spamassassin() -> str:
    return required("spamassassin", "spamassassin")


def rules_fired(binary: str, raw: bytes, home: Path) -> set[str]:
    """The rules SpamAssassin's local tests fire on `raw` (its X-Spam-Status `tests=` list)."""
    done = subprocess.run([binary, "-L", "-t", "-x"], input=raw, capture_output=True, timeout=300,
                          env={**os.environ, "HOME": str(home)}, check=False)
    unfolded = re.sub(rb",\s+", b",", re.sub(rb"\r?\n[ \t]+", b" ", done.stdout))  # tests=A,\n\tB
    found = re.search(rb"^X-Spam-Status: .*?tests=([^\s]*)", unfolded, re.M)
    assert found is not None, done.stderr.decode(errors="replace")[-2000:]
    return {rule for rule in found.group(1).decode().split(",") if rule and rule != "none"}


async def test_files_attached_fire_no_rule_the_plain_mail_does_not(store: Store, db_path: Path,
                                                                  tmp_path: Path) -> None:
    binary = _spamassassin()
    add_influencer(store, "ana")
    add_campaign(store, "spring26")
    body, brief, notes = tmp_path / "body.txt", tmp_path / "Brief été.pdf", tmp_path / "notes.txt"
    body.write_text("Hello Ana,\n\nthe brief for the spring campaign is attached. Tell me what you think.\n")
    brief.write_bytes(PDF)
    notes.write_text("Deliverables: two posts and three stories.\n")
    for extra in ((), ("--attach", str(brief), "--attach", str(notes))):
        assert run(db_path, "compose", "ana", "--subject", "The spring brief", "--body-file", str(body),
                   "--campaign", "spring26", *extra).exit_code == 0
    sink = await start_sink()
    await Dispatcher(store, make_config(sink.port)).run_until_empty()
    plain, attached = sorted(sink.received, key=lambda item: item.message.is_multipart())
    assert attached.message.get_content_type() == "multipart/mixed"

    home = tmp_path / "sa-home"
    home.mkdir()
    plain_rules = rules_fired(binary, plain.raw, home)
    attached_rules = rules_fired(binary, attached.raw, home)
    assert "NO_RELAYS" in plain_rules  # read from the report: mail straight from the sink was not relayed
    assert attached_rules - plain_rules == set(), (plain_rules, attached_rules)
    assert {rule for rule in attached_rules if STRUCTURAL.match(rule)} == set(), attached_rules


def test_the_check_sees_structural_rules_when_they_fire(tmp_path: Path) -> None:
    bad = (b"From: a@brand.example\r\nTo: c@mail.example\r\nSubject: hi\r\nContent-Type: text/html\r\n"
           b"Content-Transfer-Encoding: base64\r\n\r\nPGI+aGk8L2I+\r\n")  # no Date, HTML alone, in base64
    fired = rules_fired(_spamassassin(), bad, tmp_path)
    assert {"MISSING_DATE", "MIME_HTML_ONLY", "MIME_BASE64_TEXT"} <= fired
    assert {rule for rule in fired if STRUCTURAL.match(rule)} >= {"MIME_HTML_ONLY", "MISSING_DATE"}
