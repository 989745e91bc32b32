"""`callsheet export addresses`: those in campaign, to CSV or XLSX, formulas neutralised."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook

from mailer.actions import pipeline
from store.db import Store
from tests.cli_helpers import assert_user_error, run
from tests.pipeline_helpers import add_influencer, make_campaign


@pytest.fixture
def selected(store: Store) -> Store:
    make_campaign(store)
    add_influencer(store, "ana", name="Ana Lima", address="1 rue A, Paris")
    add_influencer(store, "bob", name="=HYPERLINK(\"http://evil\")", address="+33 trick")
    add_influencer(store, "cat", name="Cat", address=None)
    add_influencer(store, "dan", name="Dan", address="2 rue D")
    for handle in ("ana", "bob", "cat", "dan"):
        pipeline.apply(store, "Spring", handle)
    pipeline.decide(store, "Spring", ["ana", "bob", "cat"], "accept")
    return store


def test_csv(selected: Store, db_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "addresses.csv"
    result = run(db_path, "export", "addresses", "Spring", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "Wrote 3 addresses of 'Spring'" in result.stdout and "1 without a postal address" in result.stdout
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert rows[0] == ["name", "handle", "address", "email"]
    assert rows[1:] == [["'=HYPERLINK(\"http://evil\")", "bob", "'+33 trick", "bob@example.com"],
                        ["Ana Lima", "ana", "1 rue A, Paris", "ana@example.com"],
                        ["Cat", "cat", "", "cat@example.com"]]


def test_xlsx_cells_are_text(selected: Store, db_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "addresses.xlsx"
    assert run(db_path, "export", "addresses", "Spring", "--out", str(out)).exit_code == 0
    sheet = load_workbook(out).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == ["name", "handle", "address", "email"]
    assert {v[1] for v in values[1:]} == {"ana", "bob", "cat"}
    assert all(cell.data_type == "s" for row in sheet.iter_rows(min_row=2) for cell in row if cell.value)


def test_xlsx_formula_like_names_are_exact_strings_without_an_apostrophe(
        selected: Store, db_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "addresses.xlsx"
    assert run(db_path, "export", "addresses", "Spring", "--out", str(out)).exit_code == 0
    bob = next(row for row in load_workbook(out).active.iter_rows(min_row=2) if row[1].value == "bob")
    assert [(cell.value, cell.data_type) for cell in (bob[0], bob[2])] == [
        ('=HYPERLINK("http://evil")', "s"), ("+33 trick", "s")]


@pytest.mark.parametrize(("out", "fragment"), [("x.pdf", "must end in .xlsx or .csv"),
                                               ("nowhere/x.csv", "does not exist")])
def test_bad_targets(selected: Store, db_path: Path, tmp_path: Path, out: str, fragment: str) -> None:
    assert_user_error(run(db_path, "export", "addresses", "Spring", "--out", str(tmp_path / out)), fragment)
    assert list(tmp_path.glob(".export-*")) == []


def test_unknown_campaign(db_path: Path, store: Store, tmp_path: Path) -> None:
    assert_user_error(run(db_path, "export", "addresses", "Nope", "--out", str(tmp_path / "x.csv")),
                      "There is no campaign named 'Nope'")
