"""Files from partners that try to corrupt or bloat the store: mixed encodings, very wide files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from store.db import Store
from tests.cli_helpers import assert_user_error, run
from tests.import_helpers import fingerprint, influencer_rows, write_csv, write_xlsx

UTF8_ROWS = "handle,name\r\njose,José García\r\n".encode()
CP1252_ROW = "ana,Ana López\r\n".encode("cp1252")


def _import(db_path: Path, path: Path, *options: str):
    return run(db_path, "import", "influencers", str(path), *options)


def test_a_mostly_utf8_file_with_a_windows_row_is_refused_and_names_stay_intact(
        db_path: Path, tmp_path: Path) -> None:
    seed = tmp_path / "seed.csv"
    seed.write_bytes(UTF8_ROWS)
    assert _import(db_path, seed).exit_code == 0
    before = fingerprint(db_path)
    mixed = tmp_path / "mixed.csv"
    mixed.write_bytes(UTF8_ROWS + CP1252_ROW + b"bob,Bob\r\n" + "eva,Éva\r\n".encode("cp1252"))
    for options in ((), ("--skip-invalid",)):
        assert_user_error(_import(db_path, mixed, *options),
                          "mixed.csv mixes encodings (line 2 is UTF-8, lines 3 and 5 are not")
    assert fingerprint(db_path) == before
    assert [row["name"] for row in influencer_rows(db_path)] == ["José García"]


def test_a_json_file_with_mixed_encodings_is_refused(db_path: Path, tmp_path: Path) -> None:
    mixed = tmp_path / "mixed.json"
    utf8 = '[{"handle": "jose", "name": "José"},\n'.encode()
    mixed.write_bytes(utf8 + '{"handle": "ana", "name": "Ana López"}]'.encode("cp1252"))
    assert_user_error(_import(db_path, mixed), "line 1 is UTF-8, line 2 is not")
    assert influencer_rows(db_path) == []


def test_a_stored_name_is_never_replaced_by_its_mojibake(db_path: Path, tmp_path: Path) -> None:
    seed = write_csv(tmp_path / "seed.csv", [["jose", "José García", "Málaga"]],
                     header=["handle", "name", "city"])
    assert _import(db_path, seed).exit_code == 0
    before = fingerprint(db_path)
    garbled = "José García".encode().decode("cp1252")
    garbled_city = "Málaga".encode().decode("cp1252")
    for row, what in ((["jose", garbled, ""], "name"), (["jose", "", garbled_city], "city")):
        path = write_csv(tmp_path / "export.csv", [row], header=["handle", "name", "city"])
        assert_user_error(_import(db_path, path), f"export.csv line 2 would replace the {what} of jose, ")
        assert fingerprint(db_path) == before
    assert [row["name"] for row in influencer_rows(db_path)] == ["José García"]


def test_a_whole_windows_1252_file_still_imports_and_updates_names(db_path: Path, tmp_path: Path) -> None:
    seed = tmp_path / "seed.csv"
    seed.write_bytes(UTF8_ROWS)
    assert _import(db_path, seed).exit_code == 0
    latin = tmp_path / "latin.csv"
    latin.write_bytes("handle,name\r\njose,José García Ñúñez\r\n".encode("cp1252") + CP1252_ROW)
    result = _import(db_path, latin)
    assert result.exit_code == 0, result.output
    assert "read as Windows-1252" in result.stderr
    assert [row["name"] for row in influencer_rows(db_path)] == ["José García Ñúñez", "Ana López"]


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        number, digit = divmod(number, 36)
        text = digits[digit] + text
        if not number:
            return f"v{text}"


def test_a_million_column_file_is_refused_before_its_rows_are_read(db_path: Path, tmp_path: Path) -> None:
    wide = tmp_path / "wide.csv"
    names = [_base36(n) for n in range(1_000_000)]
    rows = "handle," + ",".join(names) + "\nana," + ",".join("1" * len(names)) + "\n"
    wide.write_text(rows, encoding="utf-8")
    assert wide.stat().st_size < 10 * 2**20
    assert_user_error(_import(db_path, wide),
                      "wide.csv has 1,000,001 columns; callsheet imports at most 5,000")
    assert influencer_rows(db_path) == []


def _wide_file(tmp_path: Path, fmt: str, variables: int) -> Path:
    header = ["handle", "name", *(f"var {n}" for n in range(variables))]
    row = ["ana", "Ana", *(str(n) for n in range(variables))]
    if fmt == "json":
        path = tmp_path / "wide.json"
        path.write_text(json.dumps([dict(zip(header, row, strict=True))]), encoding="utf-8")
        return path
    if fmt == "xlsx":
        return write_xlsx(tmp_path / "wide.xlsx", [row], header=header)
    return write_csv(tmp_path / "wide.csv", [row], header=header)


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_more_custom_variables_than_the_cap_refuse_the_file(db_path: Path, tmp_path: Path, fmt: str) -> None:
    seed = tmp_path / "seed.csv"
    seed.write_bytes(UTF8_ROWS)
    assert _import(db_path, seed).exit_code == 0
    before = fingerprint(db_path)
    assert_user_error(_import(db_path, _wide_file(tmp_path, fmt, 201)),
                      f"wide.{fmt} has 201 columns that would become custom variables; an import may add "
                      "at most 200")
    assert fingerprint(db_path) == before
    assert _import(db_path, _wide_file(tmp_path, fmt, 200)).exit_code == 0


def test_an_influencer_never_holds_more_custom_variables_than_the_cap(store: Store, db_path: Path,
                                                                   tmp_path: Path) -> None:
    limit = run(db_path, "import", "limits", "--max-variables", "3")
    assert limit.exit_code == 0 and "capped at 3 per file and per influencer (was 200)" in limit.stdout
    assert json.loads(run(db_path, "import", "limits", "--json").stdout) == {"max_custom_variables": 3}
    first = write_csv(tmp_path / "first.csv", [["ana", "1", "2"], ["bob", "1", "2"]],
                      header=["handle", "a", "b"])
    assert _import(db_path, first).exit_code == 0
    before = fingerprint(db_path)
    second = write_csv(tmp_path / "second.csv", [["bob", "3", "", ""], ["ana", "3", "4", "5"]],
                       header=["handle", "a", "c", "d"])
    assert_user_error(_import(db_path, second),
                      "second.csv line 3 would give ana 4 custom variables; an influencer may hold at most 3")
    assert fingerprint(db_path) == before


def test_only_a_manager_changes_the_cap(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    Store(db_path).close()
    monkeypatch.setenv("CALLSHEET_USER", "visitor")
    assert_user_error(run(db_path, "import", "limits", "--max-variables", "5000"),
                      "visitor is a viewer and may not change import limits.")
    assert_user_error(run(db_path, "import", "limits", "--max-variables", "0"), "between 1 and 5,000")


def test_a_header_name_longer_than_200_characters_is_refused(db_path: Path, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "long.csv", [["ana", "x"]], header=["handle", "x" * 201])
    assert_user_error(_import(db_path, path), "long.csv column 2 has a name 201 characters long")
