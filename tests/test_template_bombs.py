"""Template memory bombs (issue 18.4): refused when saved, and every render stays in a fixed budget."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mailer.actions import pipeline
from mailer.templating.rendering import TemplateError
from store import templates
from store.db import Store
from tests.cli_helpers import assert_user_error, run
from tests.pipeline_helpers import add_influencer, make_campaign, table_counts
from tests.template_bombs import BOMBS

ROOT = Path(__file__).resolve().parent.parent
PEAK_LIMIT_MB = 200
# The child renders every bomb as `template set` checks it, under an address-space cap so a
# regression fails with MemoryError here instead of taking the machine's memory.
_CHILD = """
import json, resource
resource.setrlimit(resource.RLIMIT_AS, (1_000_000_000, 1_000_000_000))
from mailer.templating.rendering import TemplateError, check_template
from tests.template_bombs import BOMBS
refusals = {}
for name, source in BOMBS.items():
    try:
        check_template("invitation", "en", "Hello", source)
        refusals[name] = None
    except TemplateError as error:
        refusals[name] = str(error)
status = open("/proc/self/status").read()
peak_kb = int(next(l for l in status.splitlines() if l.startswith("VmHWM")).split()[1])
print(json.dumps({"refusals": refusals, "peak_mb": peak_kb // 1024}))
"""


def test_every_bomb_is_refused_within_a_small_peak_memory() -> None:
    child = subprocess.run([sys.executable, "-c", _CHILD], cwd=ROOT, capture_output=True, text=True,
                           check=True)
    report = json.loads(child.stdout)
    for name, sentence in report["refusals"].items():
        assert sentence is not None, f"{name} was accepted"
        assert "too large" in sentence or "in all" in sentence, f"{name}: {sentence}"
        assert "memory" not in sentence, f"{name} reached the allocator: {sentence}"
    assert report["peak_mb"] < PEAK_LIMIT_MB, report


@pytest.mark.parametrize("name", list(BOMBS))
def test_template_set_refuses_each_bomb_and_stores_nothing(name: str, store: Store, db_path: Path,
                                                          tmp_path: Path) -> None:
    make_campaign(store)
    body = tmp_path / "body.j2"
    body.write_text(BOMBS[name], encoding="utf-8")
    before = table_counts(store)
    result = run(db_path, "template", "set", "Spring", "invitation", "--lang", "en",
                 "--subject", "Hello", "--body-file", str(body))
    line = 2 if name == "indent" else 1
    assert_user_error(result, f"Template invitation (en), body line {line}: it builds ")
    assert table_counts(store) == before


def test_a_bomb_in_the_subject_names_the_subject(store: Store, db_path: Path, tmp_path: Path) -> None:
    make_campaign(store)
    body = tmp_path / "body.j2"
    body.write_text("Hi {{ firstName }}", encoding="utf-8")
    result = run(db_path, "template", "set", "Spring", "welcome", "--lang", "fr",
                 "--subject", BOMBS["format widths"], "--body-file", str(body))
    assert_user_error(result, "Template welcome (fr), subject line 1: it builds a formatted value too large")


def test_a_bomb_stored_behind_the_check_is_refused_inside_the_action(store: Store) -> None:
    campaign = make_campaign(store)
    add_influencer(store, "ana")
    with store.write() as db:  # as if written by an older version, unchecked
        templates.save(db, campaign_id=campaign.id, kind="acknowledgement", language="en", subject="Hi",
                       body=BOMBS["list append loop"], body_html=None, actor="x", now="now")
    before = table_counts(store)
    with pytest.raises(TemplateError, match="in all"):
        pipeline.apply(store, "Spring", "ana")
    assert table_counts(store) == before
