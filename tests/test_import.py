"""Importing influencers: stored values, upsert by handle, all or nothing, --skip-invalid, audit."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from store import audit, operators
from store.db import Store
from store.errors import Forbidden
from store.influencers import get_by_handle
from store.ingest.importer import InvalidRows, import_influencers
from tests.import_helpers import ANA, BOB, HEADER, fingerprint, write_csv


def test_a_good_file_stores_every_column(store: Store, tmp_path: Path) -> None:
    report = import_influencers(store, write_csv(tmp_path / "people.csv", [ANA, BOB]))
    assert (report.created, report.updated, report.unchanged, report.rejected) == (2, 0, 0, [])
    ana = get_by_handle(store.reader(), "ana_lopez")
    assert ana["name"] == "Ana López" and ana["first_name"] == "Ana"
    assert ana["email"] == "ana@example.com"
    assert ana["platforms"] == ["instagram", "tiktok"]
    assert (ana["followers"], ana["engagement_rate"]) == (12500, 3.5)
    assert (ana["country"], ana["language"]) == ("FR", "fr")
    assert ana["tags"] == ["beauty", "fashion"]
    assert ana["address"] == "1 rue de la Paix\nParis"
    assert ana["custom"] == {"shoe_size": "38"}
    bob = get_by_handle(store.reader(), "BOB.K")
    assert (bob["email"], bob["followers"], bob["engagement_rate"]) == ("bob@example.org", 1_200_000, 2.0)
    assert bob["address"] is None and bob["custom"] == {}


def test_importing_the_same_file_twice_creates_nothing(store: Store, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "people.csv", [ANA, BOB])
    import_influencers(store, path)
    before = fingerprint(store.path)
    again = import_influencers(store, path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    after = fingerprint(store.path)
    assert after["influencers"] == before["influencers"]  # not even updated_at moved
    assert after["audit_events"][0] == before["audit_events"][0] + 1


def test_handles_match_whatever_their_case(store: Store, tmp_path: Path) -> None:
    import_influencers(store, write_csv(tmp_path / "a.csv", [ANA]))
    report = import_influencers(store, write_csv(tmp_path / "b.csv", [["ANA_LOPEZ", "Ana L."]],
                                                 header=["handle", "name"]))
    assert (report.created, report.updated) == (0, 1)
    rows = store.reader().execute("SELECT handle, name FROM influencers").fetchall()
    assert rows == [("ana_lopez", "Ana L.")]  # the stored handle keeps its spelling


def test_an_update_keeps_what_the_file_leaves_empty_and_merges_custom(store: Store, tmp_path: Path) -> None:
    import_influencers(store, write_csv(tmp_path / "a.csv", [ANA]))
    header = ["handle", "email", "followers", "Hair colour", "Shoe size"]
    report = import_influencers(store, write_csv(tmp_path / "b.csv", [["ana_lopez", "", "13000", "red", ""]],
                                                 header=header))
    assert report.updated == 1
    ana = get_by_handle(store.reader(), "ana_lopez")
    assert ana["email"] == "ana@example.com" and ana["followers"] == 13000
    assert ana["custom"] == {"shoe_size": "38", "hair_colour": "red"}
    assert ana["created_at"] <= ana["updated_at"]


def test_a_row_equal_to_the_stored_one_is_unchanged_even_if_written_elsewhere(store: Store,
                                                                              tmp_path: Path) -> None:
    with store.write() as db:
        db.conn.execute("""INSERT INTO influencers (handle, name, tags, custom, created_at, updated_at)
                           VALUES ('zoe', 'Zoé', '["caf\\u00e9"]', '{"a":"1"}', 'x', 'x')""")
    path = write_csv(tmp_path / "z.csv", [["zoe", "Zoé", "Café", "1"]],
                     header=["handle", "name", "tags", "a"])
    report = import_influencers(store, path)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 1)


def test_a_bad_row_imports_nothing(store: Store, tmp_path: Path) -> None:
    import_influencers(store, write_csv(tmp_path / "a.csv", [BOB]))
    before = fingerprint(store.path)
    bad = [ANA, ["carla", "Carla", "", "carla@@example.com"] + [""] * 8,
           ["bob.k", "Robert"] + [""] * 10, ["dan", "Dan", "", "", "", "-5"] + [""] * 6]
    with pytest.raises(InvalidRows) as refused:
        import_influencers(store, write_csv(tmp_path / "b.csv", bad))
    assert fingerprint(store.path) == before
    report = refused.value.report
    assert [(r.line, r.handle) for r in report.rejected] == [(4, "carla"), (6, "dan")]
    assert "carla@@example.com" in report.rejected[0].reason
    assert "followers '-5'" in report.rejected[1].reason
    assert str(refused.value) == "2 of 4 rows of b.csv are invalid; nothing was imported."


def test_skip_invalid_imports_the_good_rows(store: Store, tmp_path: Path) -> None:
    rows = [ANA, ["carla", "Carla", "", "carla@@example.com"] + [""] * 8, BOB]
    report = import_influencers(store, write_csv(tmp_path / "b.csv", rows), skip_invalid=True)
    assert (report.created, len(report.rejected)) == (2, 1)
    handles = [r[0] for r in store.reader().execute("SELECT handle FROM influencers ORDER BY handle")]
    assert handles == ["ana_lopez", "bob.k"]


def test_skip_invalid_with_no_valid_row_is_refused(store: Store, tmp_path: Path) -> None:
    with pytest.raises(InvalidRows, match="None of the 1 rows"):
        import_influencers(store, write_csv(tmp_path / "b.csv", [["a b"]], header=["handle"]),
                           skip_invalid=True)


def test_a_handle_twice_in_one_file_rejects_both_lines(store: Store, tmp_path: Path) -> None:
    rows = [ANA, BOB, ["Ana_Lopez", "Other Ana"] + [""] * 10]
    with pytest.raises(InvalidRows) as refused:
        import_influencers(store, write_csv(tmp_path / "d.csv", rows))
    reasons = {r.line: r.reason for r in refused.value.report.rejected}
    assert reasons == {2: "handle 'ana_lopez' is also on line 5",
                       5: "handle 'Ana_Lopez' is also on line 2"}


def test_every_problem_of_a_row_is_reported_together(store: Store, tmp_path: Path) -> None:
    row = ["ana", "Ana\nBcc: x@y.z", "", "ana@", "", "lots", "250", "France", "english"]
    header = HEADER[:9]
    with pytest.raises(InvalidRows) as refused:
        import_influencers(store, write_csv(tmp_path / "p.csv", [row], header=header))
    reason = refused.value.report.rejected[0].reason
    for fragment in ("name contains a line break", "U+000A", "email 'ana@'", "followers 'lots'",
                     "engagement_rate '250' is over 100%", "country 'France'", "language 'english'"):
        assert fragment in reason


@pytest.mark.parametrize("char", ["\r", "\n", "\x00", "\u2028", "\u2029", "\x85", "\x0b", "\x0c"])
@pytest.mark.parametrize("column", ["name", "first_name"])
def test_header_injection_characters_in_names_are_refused(store: Store, tmp_path: Path, char: str,
                                                          column: str) -> None:
    path = tmp_path / "inj.json"
    path.write_text(json.dumps([{"handle": "eve", column: f"Eve{char}X-Injected: yes"}]), encoding="utf-8")
    with pytest.raises(InvalidRows) as refused:
        import_influencers(store, path)
    rejection = refused.value.report.rejected[0]
    assert rejection.line == 1 and column in rejection.reason
    assert f"U+{ord(char):04X}" in rejection.reason
    assert store.reader().execute("SELECT count(*) FROM influencers").fetchone()[0] == 0


def test_the_import_is_audited(store: Store, tmp_path: Path) -> None:
    import_influencers(store, write_csv(tmp_path / "people.csv", [ANA, BOB]))
    (event,) = [e for e in audit.events(store.reader()) if e["action"] == "import"]
    assert event["actor"] == "tester" and event["entity"] == "influencers"
    assert event["detail"] == {"file": "people.csv", "format": "csv", "created": 2, "updated": 0,
                               "unchanged": 0, "rejected": 0}


def test_a_viewer_may_not_import(db_path: Path, clock, tmp_path: Path) -> None:
    Store(db_path, clock, actor="boss").close()
    store = Store(db_path, clock, actor="visitor")
    try:
        with pytest.raises(Forbidden, match="visitor is a viewer and may not import influencers"):
            import_influencers(store, write_csv(tmp_path / "people.csv", [ANA]))
        with store.write() as db:
            operators.add(db, "visitor", "evaluator", None, "", store.now_iso())
        with pytest.raises(Forbidden):
            import_influencers(store, write_csv(tmp_path / "people.csv", [ANA]))
    finally:
        store.close()


def test_a_hundred_thousand_rows(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["handle", "name", "email", "followers", "tags", "Shoe size"])
        writer.writerows([f"user{i}", f"User {i}", f"user{i}@example.com", f"{i * 7:,}", "beauty, food",
                          str(i % 47)] for i in range(100_000))
    report = import_influencers(store, path)
    assert (report.created, report.updated, len(report.rejected)) == (100_000, 0, 0)
    db = store.reader()
    assert db.execute("SELECT count(*) FROM influencers").fetchone()[0] == 100_000
    last = get_by_handle(db, "USER99999")
    assert (last["followers"], last["custom"], last["tags"]) == (699_993, {"shoe_size": "30"},
                                                                 ["beauty", "food"])


def test_progress_is_reported_by_phase(store: Store, tmp_path: Path) -> None:
    rows = [[f"user{i}", f"User {i}"] for i in range(12_000)]
    seen: list[tuple[str, int, int]] = []
    import_influencers(store, write_csv(tmp_path / "p.csv", rows, header=["handle", "name"]),
                       progress=lambda phase, done, total: seen.append((phase, done, total)))
    checking = [s for s in seen if s[0] == "Checking"]
    assert checking == [("Checking", 5000, 12_000), ("Checking", 10_000, 12_000)]
    writing = [s for s in seen if s[0] == "Writing"]
    assert writing[-1] == ("Writing", 12_000, 12_000)
    assert [done for _, done, _ in writing] == sorted(done for _, done, _ in writing)
