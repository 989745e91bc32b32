"""Files from partners that try to corrupt or bloat the store: mixed encodings, very wide files."""

from __future__ import annotations

from pathlib import Path

from tests.cli_helpers import assert_user_error, run
from tests.import_helpers import fingerprint, influencer_rows

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
