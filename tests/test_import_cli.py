"""`callsheet import influencers`: output, exit codes, one-sentence refusals, and a full disk (R15)."""

from __future__ import annotations

import csv
import json
import os
import sqlite3
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest
from click.testing import Result

from store.db import Store
from tests.cli_helpers import assert_user_error, run, run_json
from tests.import_helpers import (
    ANA,
    BOB,
    BOMB,
    fingerprint,
    make_workbook,
    rewrite_zip,
    write_csv,
    write_xlsx,
)

BAD_EMAIL = ["carla", "Carla", "", "carla@@example.com"] + [""] * 8


def _lines(result: Result) -> list[str]:
    return result.stderr.splitlines()


def test_the_summary_line(db_path: Path, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "people.csv", [ANA, BOB])
    result = run(db_path, "import", "influencers", str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout == "Imported 2 influencers: 2 created, 0 updated, 0 unchanged, 0 rejected.\n"
    assert result.stderr == ""
    again = run(db_path, "import", "influencers", str(path))
    assert again.stdout == "Imported 2 influencers: 0 created, 0 updated, 2 unchanged, 0 rejected.\n"


def test_json_output(db_path: Path, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "people.csv", [ANA])
    assert run_json(db_path, "import", "influencers", str(path)) == {
        "created": 1, "updated": 0, "unchanged": 0, "rejected": [], "notes": []}


def test_bad_rows_are_listed_and_nothing_is_imported(db_path: Path, tmp_path: Path) -> None:
    run(db_path, "import", "influencers", str(write_csv(tmp_path / "a.csv", [BOB])))
    before = fingerprint(db_path)
    path = write_csv(tmp_path / "b.csv", [ANA, BAD_EMAIL, ["bob.k", "Robert"] + [""] * 10])
    result = run(db_path, "import", "influencers", str(path))
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert result.stdout == ""
    assert _lines(result) == [
        "line 4: email 'carla@@example.com' must contain exactly one @",
        "Error: 1 of 3 rows of b.csv is invalid; nothing was imported: fix the 1 listed above, or pass "
        "--skip-invalid to import the other 2 rows.",
    ]
    assert fingerprint(db_path) == before


def test_bad_rows_with_json(db_path: Path, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "b.csv", [ANA, BAD_EMAIL])
    result = run(db_path, "import", "influencers", str(path), "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {
        "created": 0, "updated": 0, "unchanged": 0, "notes": [],
        "rejected": [{"line": 4, "handle": "carla",
                      "reason": "email 'carla@@example.com' must contain exactly one @"}]}
    assert _lines(result)[-1].startswith("Error: 1 of 2 rows of b.csv is invalid")


def test_skip_invalid(db_path: Path, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "b.csv", [ANA, BAD_EMAIL, BOB])
    result = run(db_path, "import", "influencers", str(path), "--skip-invalid")
    assert result.exit_code == 0
    assert result.stdout == "Imported 2 influencers: 2 created, 0 updated, 0 unchanged, 1 rejected.\n"
    assert _lines(result) == ["line 4: email 'carla@@example.com' must contain exactly one @"]
    report = run_json(db_path, "import", "influencers", str(path), "--skip-invalid")
    assert (report["unchanged"], [r["line"] for r in report["rejected"]]) == (2, [4])


def test_json_files_count_items_and_xlsx_files_rows(db_path: Path, tmp_path: Path) -> None:
    (tmp_path / "p.json").write_text(json.dumps([{"handle": "ana"}, {"handle": "b b"}]), encoding="utf-8")
    result = run(db_path, "import", "influencers", str(tmp_path / "p.json"))
    assert _lines(result)[0].startswith("item 2: handle 'b b' may only hold")
    assert "1 of 2 items of p.json is invalid" in _lines(result)[1]
    write_xlsx(tmp_path / "p.xlsx", [["ana", "ana@"]], header=["handle", "email"])
    assert _lines(run(db_path, "import", "influencers", str(tmp_path / "p.xlsx")))[0].startswith("row 2: ")


def test_notes_go_to_stderr(db_path: Path, tmp_path: Path) -> None:
    (tmp_path / "l.csv").write_bytes("handle,name\nana,Ana López\n".encode("cp1252"))
    result = run(db_path, "import", "influencers", str(tmp_path / "l.csv"))
    assert result.exit_code == 0 and result.stdout.startswith("Imported 1 influencer: 1 created")
    assert result.stderr.startswith("Note: l.csv is not UTF-8; it was read as Windows-1252")


def test_format_and_sheet_options(db_path: Path, tmp_path: Path) -> None:
    (tmp_path / "people.dat").write_text('[{"handle": "ana"}]', encoding="utf-8")
    assert run_json(db_path, "import", "influencers", str(tmp_path / "people.dat"), "--format", "json")[
        "created"] == 1
    workbook = make_workbook([BOB])
    workbook.create_sheet("Notes")
    workbook.save(tmp_path / "two.xlsx")
    assert run_json(db_path, "import", "influencers", str(tmp_path / "two.xlsx"), "--sheet", "Influencers")[
        "created"] == 1


def _error_files(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    def write(name: str, data: bytes) -> Path:
        (tmp_path / name).write_bytes(data)
        return tmp_path / name

    good = write_xlsx(tmp_path / "good.xlsx", [ANA])
    with zipfile.ZipFile(tmp_path / "nowb.xlsx", "w") as package:
        package.writestr("a.txt", "x")
    two = make_workbook([ANA])
    two.create_sheet("Other")
    two.save(tmp_path / "two.xlsx")
    merged = make_workbook([ANA])
    merged.active.merge_cells("A1:B1")
    merged.save(tmp_path / "merged.xlsx")
    return {
        "missing": (tmp_path / "nope.csv", "nope.csv does not exist."),
        "empty": (write("empty.csv", b""), "empty.csv has no rows."),
        "header only": (write("h.csv", b"handle,name\n"), "h.csv has a header but no rows."),
        "no handle": (write("n.csv", b"name,email\nA,a@example.com\n"),
                      "n.csv has no handle column; its columns are: name, email."),
        "duplicate header": (write("d.csv", b"handle,email,Email\na,b,c\n"), "two columns for email"),
        "unterminated": (write("q.csv", b'handle\n"ana\n'), "q.csv line 2: a quoted field is never closed"),
        "undecodable": (write("u.csv", b"handle\n\x81\x8d\n"), "u.csv is neither UTF-8 nor Windows-1252"),
        "renamed csv": (write("r.xlsx", b"handle\nana\n"), "r.xlsx is not an XLSX workbook but plain text"),
        "truncated": (write("t.xlsx", good.read_bytes()[:300]), "t.xlsx is damaged or truncated"),
        "no workbook": (tmp_path / "nowb.xlsx", "nowb.xlsx is a zip file but holds no Excel workbook."),
        "formula": (write_xlsx(tmp_path / "f.xlsx", [["ana", "=1+1"]], header=["handle", "name"]),
                    "f.xlsx cell B2 holds a formula (=1+1)"),
        "merged": (tmp_path / "merged.xlsx", "merged.xlsx has merged header cells (A1:B1)"),
        "two sheets": (tmp_path / "two.xlsx", "choose one with --sheet NAME."),
        "entity bomb": (rewrite_zip(good, tmp_path / "bomb.xlsx", {"xl/workbook.xml": BOMB}),
                        "bomb.xlsx declares a document type in xl/workbook.xml"),
        "bad json": (write("j.json", b"[{"), "j.json is not valid JSON"),
        "json shape": (write("s.json", b'{"a": 1}'), "s.json must hold a list of influencer objects"),
        "directory": (tmp_path, "is a directory, not a file to import."),
    }


CASES = ["missing", "empty", "header only", "no handle", "duplicate header", "unterminated", "undecodable",
         "renamed csv", "truncated", "no workbook", "formula", "merged", "two sheets", "entity bomb",
         "bad json", "json shape", "directory"]


@pytest.mark.parametrize("case", CASES)
def test_every_refused_file_is_one_sentence(db_path: Path, tmp_path: Path, case: str) -> None:
    path, fragment = _error_files(tmp_path)[case]
    run(db_path, "import", "influencers", str(write_csv(tmp_path / "seed.csv", [BOB])))
    before = fingerprint(db_path)
    assert_user_error(run(db_path, "import", "influencers", str(path)), fragment)
    assert fingerprint(db_path) == before


def test_option_errors_are_one_sentence(db_path: Path, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", [ANA])
    assert_user_error(run(db_path, "import", "influencers", str(path), "--sheet", "X"),
                      "--sheet only applies to XLSX workbooks")
    good = write_xlsx(tmp_path / "g.xlsx", [ANA])
    assert_user_error(run(db_path, "import", "influencers", str(good), "--sheet", "X"),
                      "g.xlsx has no sheet named 'X'; its sheets are: Influencers.")


def test_a_viewer_is_refused(db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    Store(db_path).close()
    monkeypatch.setenv("CALLSHEET_USER", "visitor")
    result = run(db_path, "import", "influencers", str(write_csv(tmp_path / "a.csv", [ANA])))
    assert_user_error(result, "visitor is a viewer and may not import influencers.")


DISK_FULL = textwrap.dedent("""
    import resource, signal, sys
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    limit = int(sys.argv[3])
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    from tui.cli import main
    main(["--db", sys.argv[1], "import", "influencers", sys.argv[2]])
""")


def test_r15_a_full_disk_imports_nothing_and_says_so(db_path: Path, tmp_path: Path) -> None:
    run(db_path, "import", "influencers", str(write_csv(tmp_path / "seed.csv", [BOB])))
    path = tmp_path / "big.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["handle", "name", "email", "bio"])
        writer.writerows([f"user{i}", f"User {i}", f"user{i}@example.com", "x" * 200] for i in range(20_000))
    limit = db_path.stat().st_size + 256 * 1024
    done = subprocess.run([sys.executable, "-c", DISK_FULL, str(db_path), str(path), str(limit)],
                          capture_output=True, text=True, timeout=120, env=os.environ.copy())
    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith("Error: the disk refused the write (") and "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM influencers").fetchone()[0] == 1
    finally:
        conn.close()
    after = run(db_path, "import", "influencers", str(path))
    assert after.exit_code == 0 and after.stdout.startswith("Imported 20000 influencers: 20000 created")
