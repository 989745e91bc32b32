"""Reading XLSX workbooks, and refusing the malformed and malicious ones (R13)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import zipfile
from datetime import datetime
from pathlib import Path

import pytest

from store.db import Store
from store.errors import UserError
from store.influencers import get_by_handle
from store.ingest.columns import map_columns
from store.ingest.importer import InvalidRows, import_influencers
from store.ingest.readers import read_source
from tests.import_helpers import ANA, BOB, BOMB, fingerprint, make_workbook, rewrite_zip, write_xlsx

SHEET = "xl/worksheets/sheet1.xml"
EXTERNAL = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'


def _refusal(path: Path, **options: object) -> str:
    with pytest.raises(UserError) as refused:
        read_source(path, **options)
    return str(refused.value)


def test_a_good_workbook(store: Store, tmp_path: Path) -> None:
    report = import_influencers(store, write_xlsx(tmp_path / "people.xlsx", [ANA, BOB]))
    assert (report.created, report.unit) == (2, "row")
    ana = get_by_handle(store.reader(), "ana_lopez")
    assert (ana["followers"], ana["engagement_rate"], ana["tags"]) == (12500, 3.5, ["beauty", "fashion"])
    assert ana["custom"] == {"shoe_size": "38"}
    again = import_influencers(store, tmp_path / "people.xlsx")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_cells_are_read_as_the_person_sees_them(store: Store, tmp_path: Path) -> None:
    header = ["handle", "followers", "engagement_rate", "Joined", "Shoe size", "vip"]
    workbook = make_workbook([[12345, 12500, 0.035, datetime(2026, 1, 5), 38.0, True]], header=header)
    workbook.active["C2"].number_format = "0.0%"
    workbook.save(tmp_path / "typed.xlsx")
    import_influencers(store, tmp_path / "typed.xlsx")
    row = get_by_handle(store.reader(), "12345")
    assert (row["followers"], row["engagement_rate"]) == (12500, 3.5)
    assert row["custom"] == {"joined": "2026-01-05", "shoe_size": "38", "vip": "true"}


def test_rows_are_numbered_as_excel_shows_them(store: Store, tmp_path: Path) -> None:
    workbook = make_workbook([])
    sheet = workbook.active
    sheet.delete_rows(1)
    sheet["A3"], sheet["B3"] = "handle", "email"
    sheet["A4"], sheet["B4"] = "ana", "ana@example.com"
    sheet["A6"], sheet["B6"] = "bob", "bob@"
    sheet["A7"], sheet["B7"] = "carla", "#N/A"
    workbook.save(tmp_path / "gaps.xlsx")
    with pytest.raises(InvalidRows) as refused:
        import_influencers(store, tmp_path / "gaps.xlsx")
    assert [(r.line, r.reason[:20]) for r in refused.value.report.rejected] == [
        (6, "email 'bob@' needs t"), (7, "cell B7 holds the er")]


def test_short_rows_are_padded_and_values_past_the_header_refused(store: Store, tmp_path: Path) -> None:
    workbook = make_workbook([["ana"], ["bob", "Bob", "", "", "", "", "", "", "", "", "", "", "stray"]])
    workbook.active["A4"] = "carla"
    workbook.save(tmp_path / "short.xlsx")
    with pytest.raises(InvalidRows) as refused:
        import_influencers(store, tmp_path / "short.xlsx")
    assert [(r.line, r.reason) for r in refused.value.report.rejected] == [
        (3, "has a value in column M, past the last named column")]
    report = import_influencers(store, tmp_path / "short.xlsx", skip_invalid=True)
    assert report.created == 2 and get_by_handle(store.reader(), "carla")["name"] == ""


def test_a_wrong_dimension_does_not_cut_rows_off(store: Store, tmp_path: Path) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", [ANA, BOB])
    with zipfile.ZipFile(good) as package:
        sheet = package.read(SHEET)
    assert b'<dimension ref="A1:L3" />' in sheet
    wrong = rewrite_zip(good, tmp_path / "dim.xlsx", {SHEET: sheet.replace(b'ref="A1:L3"', b'ref="A1"')})
    assert import_influencers(store, wrong).created == 2


def test_formulas_are_refused_with_their_cell(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "f.xlsx", [ANA, ["bob", "Bob", "", "", "", "=F2*2"]])
    assert _refusal(path) == ("f.xlsx cell F3 holds a formula (=F2*2); callsheet imports values only: "
                              "copy the cells and paste them as values.")


def test_merged_header_cells_are_refused(tmp_path: Path) -> None:
    workbook = make_workbook([ANA])
    workbook.active.merge_cells("B1:C1")
    workbook.save(tmp_path / "m.xlsx")
    assert _refusal(tmp_path / "m.xlsx") == ("m.xlsx has merged header cells (B1:C1); unmerge them so that "
                                             "each column has its own name.")


def test_merged_data_cells_are_refused(tmp_path: Path) -> None:
    workbook = make_workbook([ANA, BOB])
    workbook.active.merge_cells("L2:L3")
    workbook.save(tmp_path / "m.xlsx")
    assert "m.xlsx has merged cells (L2:L3); unmerge them" in _refusal(tmp_path / "m.xlsx")


def test_several_sheets_need_a_choice(store: Store, tmp_path: Path) -> None:
    workbook = make_workbook([ANA])
    workbook.create_sheet("Notes")["A1"] = "not influencers"
    workbook.save(tmp_path / "two.xlsx")
    assert _refusal(tmp_path / "two.xlsx") == ("two.xlsx has 2 sheets (Influencers, Notes); choose one "
                                               "with --sheet NAME.")
    assert _refusal(tmp_path / "two.xlsx", sheet="Other") == ("two.xlsx has no sheet named 'Other'; its "
                                                              "sheets are: Influencers, Notes.")
    assert import_influencers(store, tmp_path / "two.xlsx", sheet="influencers").created == 1


def test_an_empty_sheet_has_no_rows(tmp_path: Path) -> None:
    write_xlsx(tmp_path / "h.xlsx", [])
    assert _refusal(tmp_path / "h.xlsx") == "h.xlsx has a header but no rows."
    write_xlsx(tmp_path / "e.xlsx", [], header=[])
    assert _refusal(tmp_path / "e.xlsx") == "e.xlsx has no rows."


def test_a_renamed_csv_is_refused(tmp_path: Path) -> None:
    (tmp_path / "r.xlsx").write_text("handle,name\nana,Ana\n", encoding="utf-8")
    assert _refusal(tmp_path / "r.xlsx") == ("r.xlsx is not an XLSX workbook but plain text (a CSV file "
                                             "renamed?); name it .csv or pass --format csv.")


def test_a_truncated_zip_is_refused(tmp_path: Path) -> None:
    data = write_xlsx(tmp_path / "good.xlsx", [ANA, BOB]).read_bytes()
    (tmp_path / "t.xlsx").write_bytes(data[: len(data) // 2])
    assert _refusal(tmp_path / "t.xlsx") == "t.xlsx is damaged or truncated: it is not a complete zip file."


def test_a_corrupt_part_is_refused(tmp_path: Path) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", [ANA, BOB])
    with zipfile.ZipFile(good) as old, zipfile.ZipFile(tmp_path / "c.xlsx", "w", zipfile.ZIP_STORED) as new:
        for info in old.infolist():
            new.writestr(info.filename, old.read(info.filename))
    data = bytearray((tmp_path / "c.xlsx").read_bytes())
    at = data.index(b"<sheetData>") + 20
    data[at] ^= 0x01
    (tmp_path / "c.xlsx").write_bytes(bytes(data))
    assert _refusal(tmp_path / "c.xlsx").startswith(
        "c.xlsx is damaged or truncated: its part xl/worksheets/sheet1.xml cannot be read (Bad CRC-32")


def test_a_zip_without_a_workbook_is_refused(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "z.xlsx", "w") as package:
        package.writestr("readme.txt", "hello")
    assert _refusal(tmp_path / "z.xlsx") == "z.xlsx is a zip file but holds no Excel workbook."


def test_other_spreadsheets_are_named(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "o.xlsx", "w") as package:
        package.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
    assert _refusal(tmp_path / "o.xlsx") == ("o.xlsx is an OpenDocument spreadsheet; save it as .xlsx or "
                                             "CSV UTF-8.")
    (tmp_path / "old.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    assert "old.xlsx is an Excel 97-2003 or password-protected workbook" in _refusal(tmp_path / "old.xlsx")


@pytest.mark.parametrize("part", ["xl/sharedStrings.xml", SHEET, "xl/workbook.xml", "[Content_Types].xml",
                                  "xl/_rels/workbook.xml.rels", "docProps/core.xml", "xl/styles.xml"])
def test_an_entity_declaration_in_any_part_is_refused(tmp_path: Path, part: str) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", [ANA])
    bomb = rewrite_zip(good, tmp_path / "bomb.xlsx", {part: BOMB})
    assert _refusal(bomb) == (f"bomb.xlsx declares a document type in {part} (XML entities, as in an "
                              "entity-expansion bomb); callsheet refuses such workbooks.")


def test_external_entities_and_utf16_parts_are_refused(tmp_path: Path) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", [ANA])
    xxe = rewrite_zip(good, tmp_path / "xxe.xlsx", {"xl/workbook.xml": EXTERNAL})
    assert "declares a document type in xl/workbook.xml" in _refusal(xxe)
    for codec in ("utf-16", "utf-16-le", "utf-16-be"):  # expat reads all three, even after spaces
        text = ("\n  " + BOMB.decode().removeprefix('<?xml version="1.0"?>\n')).encode(codec)
        utf16 = rewrite_zip(good, tmp_path / f"{codec}.xlsx", {"xl/workbook.xml": text})
        assert f"{codec}.xlsx has a UTF-16 XML part (xl/workbook.xml)" in _refusal(utf16)
    nul_later = rewrite_zip(good, tmp_path / "nul.xlsx", {"xl/workbook.xml": BOMB + b"\x00"})
    assert "declares a document type" in _refusal(nul_later)


def test_the_entity_bomb_is_refused_fast_and_small(db_path: Path, tmp_path: Path) -> None:
    """Within 2 s of CPU and 200 MB of resident memory, measured in a process of its own.

    CPU time rather than wall time: the suite shares two cores with other work, and
    what matters is that the XML is never expanded.
    """
    good = write_xlsx(tmp_path / "good.xlsx", [ANA])
    bomb = rewrite_zip(good, tmp_path / "bomb.xlsx", {"xl/sharedStrings.xml": BOMB, SHEET: BOMB})
    probe = textwrap.dedent("""
        import sys, time
        from tui.cli import main
        start = time.process_time()
        try:
            main(["--db", sys.argv[1], "import", "influencers", sys.argv[2]])
        except SystemExit as exit:
            code = exit.code
        elapsed = time.process_time() - start
        # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the forking parent (pytest).
        peak = next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM:"))
        print(code, elapsed, peak)
    """)
    done = subprocess.run([sys.executable, "-c", probe, str(db_path), str(bomb)], capture_output=True,
                          text=True, timeout=60, env=os.environ.copy())
    code, elapsed, max_rss_kb = done.stdout.split()
    assert code == "1" and "declares a document type" in done.stderr
    assert float(elapsed) < 2.0
    assert int(max_rss_kb) < 200 * 1024


def test_a_refused_workbook_changes_nothing(store: Store, tmp_path: Path) -> None:
    import_influencers(store, write_xlsx(tmp_path / "good.xlsx", [BOB]))
    before = fingerprint(store.path)
    bomb = rewrite_zip(tmp_path / "good.xlsx", tmp_path / "bomb.xlsx", {SHEET: BOMB})
    formula = write_xlsx(tmp_path / "f.xlsx", [["ana", "=1+1"]], header=["handle", "name"])
    for path in (bomb, formula):
        with pytest.raises(UserError):
            import_influencers(store, path)
    assert fingerprint(store.path) == before


def test_header_names_from_a_workbook_follow_the_same_rules(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "h.xlsx", [["ana", "a@example.com", "b@example.com"]],
                      header=["Handle", "E-mail", "email"])
    with pytest.raises(UserError, match=r"two columns for email: column B \('E-mail'\) and column C"):
        map_columns(read_source(path))
