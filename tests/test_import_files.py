"""Reading CSV and JSON files: delimiters, encodings, quotes, headers, and every refusal (R13)."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest

from store.db import Store
from store.errors import UserError
from store.influencers import get_by_handle
from store.ingest.columns import map_columns
from store.ingest.importer import InvalidRows, import_influencers
from store.ingest.readers import read_source
from tests.import_helpers import ANA, BOB, fingerprint, write_csv


def _write(path: Path, data: str | bytes) -> Path:
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_the_delimiter_is_sniffed(store: Store, tmp_path: Path, delimiter: str) -> None:
    path = write_csv(tmp_path / "people.csv", [ANA, BOB], delimiter=delimiter)
    report = import_influencers(store, path)
    assert report.created == 2
    assert get_by_handle(store.reader(), "ana_lopez")["tags"] == ["beauty", "fashion"]


def test_a_semicolon_file_with_commas_in_its_values_is_not_read_as_commas(tmp_path: Path) -> None:
    path = _write(tmp_path / "eu.csv", "handle;name;followers;tags\nana;López, Ana;12,5k;a, b, c\n")
    table = read_source(path)
    assert table.header == ["handle", "name", "followers", "tags"]
    assert table.rows[0].cells == ["ana", "López, Ana", "12,5k", "a, b, c"]


def test_excel_sep_line_names_the_delimiter_and_counts_as_a_line(store: Store, tmp_path: Path) -> None:
    path = _write(tmp_path / "sep.csv", "sep=;\r\nhandle;email\r\nana;ana@example.com\r\nbob;bob@\r\n")
    with pytest.raises(InvalidRows) as refused:
        import_influencers(store, path)
    assert [(r.line, r.handle) for r in refused.value.report.rejected] == [(4, "bob")]


def test_a_semicolon_row_under_a_one_column_header_is_never_imported(store: Store, tmp_path: Path) -> None:
    path = _write(tmp_path / "odd.csv", "handle\nana;Ana;ana@example.com\n")
    with pytest.raises(InvalidRows) as refused:
        import_influencers(store, path)
    assert "may only hold letters" in refused.value.report.rejected[0].reason


@pytest.mark.parametrize("bom", [codecs.BOM_UTF8, b""])
def test_utf8_with_or_without_bom(store: Store, tmp_path: Path, bom: bytes) -> None:
    path = _write(tmp_path / "bom.csv", bom + "handle,name\nana,Ana López\n".encode())
    assert read_source(path).header == ["handle", "name"]
    import_influencers(store, path)
    assert get_by_handle(store.reader(), "ana")["name"] == "Ana López"


def test_utf16_with_a_bom_as_excel_writes_unicode_text(tmp_path: Path) -> None:
    text = "handle\tname\nana\tAnaïs\n"
    path = _write(tmp_path / "u16.txt", codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    table = read_source(path)
    assert table.rows[0].cells == ["ana", "Anaïs"]


def test_windows_1252_is_read_and_said(store: Store, tmp_path: Path) -> None:
    path = _write(tmp_path / "latin.csv", "handle,name\nana,Ana López – “Paris”\n".encode("cp1252"))
    report = import_influencers(store, path)
    assert get_by_handle(store.reader(), "ana")["name"] == "Ana López – “Paris”"
    assert report.notes == ["latin.csv is not UTF-8; it was read as Windows-1252 (Western European): "
                            "check accented names, or save it as CSV UTF-8."]


def test_text_in_no_known_encoding_is_refused_with_the_offset(tmp_path: Path) -> None:
    path = _write(tmp_path / "bad.csv", b"handle,name\nana,Ana\nbob,B\x81\xe9b\n")
    with pytest.raises(UserError) as refused:
        read_source(path)
    assert str(refused.value) == ("bad.csv is neither UTF-8 nor Windows-1252 text (byte 0x81 at offset 25, "
                                  "line 3); save it as CSV UTF-8.")


def test_nul_bytes_are_refused(tmp_path: Path) -> None:
    path = _write(tmp_path / "u16.csv", "handle,name\n".encode("utf-16-le"))
    with pytest.raises(UserError, match="NUL byte at offset 1"):
        read_source(path)


def test_an_unterminated_quote_is_refused_not_swallowed(tmp_path: Path) -> None:
    path = _write(tmp_path / "q.csv", 'handle,name\nana,Ana\nbob,"Bob\ncarla,Carla\n')
    with pytest.raises(UserError) as refused:
        read_source(path)
    assert str(refused.value) == ('q.csv line 3: a quoted field is never closed (the file ends inside it); '
                                  'add the missing ".')


def test_text_after_a_closing_quote_names_where_the_quote_opened(tmp_path: Path) -> None:
    path = _write(tmp_path / "q.csv", 'handle,name\nbob,"Bob\ncarla,Carla "the star" Diaz\n')
    with pytest.raises(UserError) as refused:
        read_source(path)
    assert "q.csv line 3: text follows a closing quote (inside a quoted field opened on line 2)" in str(
        refused.value)


def test_a_row_with_too_few_fields_is_rejected_and_its_span_shown(store: Store, tmp_path: Path) -> None:
    path = _write(tmp_path / "f.csv", 'handle,name,email\nana,"Ana\nLopez"\nbob,Bob,bob@example.com,,\n')
    with pytest.raises(InvalidRows) as refused:
        import_influencers(store, path)
    (rejection,) = refused.value.report.rejected
    assert rejection.line == 2
    assert rejection.reason == ("has 2 fields but the header has 3 "
                                "(it runs to line 3: is a closing quote missing?)")


@pytest.mark.parametrize(("header", "message"), [
    ("handle,email,name,Email", "d.csv has two columns for email: column 2 ('email') and column 4 ('Email')"),
    ("handle,E-mail,email", "d.csv has two columns for email: column 2 ('E-mail') and column 3 ('email')"),
    ("handle,Shoe size,shoe-size", "the custom variable shoe_size: column 2 ('Shoe size') and column 3"),
    ("handle,name,handle", "two columns for handle"),
])
def test_a_duplicate_header_is_refused(tmp_path: Path, header: str, message: str) -> None:
    table = read_source(_write(tmp_path / "d.csv", f"{header}\nana,a,b,c\n"))
    with pytest.raises(UserError, match=message.replace("(", r"\(").replace(")", r"\)")):
        map_columns(table)


def test_a_missing_handle_column_lists_the_columns_found(tmp_path: Path) -> None:
    table = read_source(_write(tmp_path / "n.csv", "name,email\nAna,ana@example.com\n"))
    with pytest.raises(UserError) as refused:
        map_columns(table)
    assert str(refused.value) == "n.csv has no handle column; its columns are: name, email."


def test_a_single_unknown_column_hints_at_delimiters(tmp_path: Path) -> None:
    table = read_source(_write(tmp_path / "p.csv", "handle|name\nana|Ana\n"))
    with pytest.raises(UserError, match=r"its columns are: handle\|name \(columns are split at commas"):
        map_columns(table)


def test_a_column_name_without_letters_is_refused(tmp_path: Path) -> None:
    table = read_source(_write(tmp_path / "p.csv", "handle,???\nana,1\n"))
    with pytest.raises(UserError, match=r"column 2 \('\?\?\?'\) has no letters or digits"):
        map_columns(table)


def test_a_nameless_column_is_ignored_when_empty_and_refused_when_not(store: Store, tmp_path: Path) -> None:
    import_influencers(store, _write(tmp_path / "ok.csv", "handle,name,\nana,Ana,\n"))
    with pytest.raises(InvalidRows) as refused:
        import_influencers(store, _write(tmp_path / "bad.csv", "handle,name,\nbob,Bob,x\n"))
    assert refused.value.report.rejected[0].reason == "has a value in column 3, which has no name"


@pytest.mark.parametrize(("content", "message"), [
    (b"", "e.csv has no rows."),
    (codecs.BOM_UTF8 + b"\r\n\r\n", "e.csv has no rows."),
    (b"handle,name\r\n", "e.csv has a header but no rows."),
    (b"handle,name\r\n,\r\n\r\n", "e.csv has a header but no rows."),
])
def test_an_empty_file_is_one_sentence(tmp_path: Path, content: bytes, message: str) -> None:
    with pytest.raises(UserError) as refused:
        read_source(_write(tmp_path / "e.csv", content))
    assert str(refused.value) == message


def test_blank_lines_are_skipped_and_line_numbers_stay_physical(store: Store, tmp_path: Path) -> None:
    path = _write(tmp_path / "b.csv", "\nhandle,email\n\nana,ana@example.com\n\nbob,bob@@example.com\n")
    with pytest.raises(InvalidRows) as refused:
        import_influencers(store, path)
    assert [(r.line, r.handle) for r in refused.value.report.rejected] == [(6, "bob")]


def test_the_format_follows_the_name_then_the_content(tmp_path: Path) -> None:
    _write(tmp_path / "people", '[{"handle": "ana"}]')
    assert read_source(tmp_path / "people").format == "json"
    _write(tmp_path / "people.dat", "handle\nana\n")
    assert read_source(tmp_path / "people.dat").format == "csv"
    assert read_source(tmp_path / "people.dat", fmt="csv").rows[0].cells == ["ana"]


@pytest.mark.parametrize(("content", "message"), [
    (b"PK\x03\x04rest", "x.csv is a zip file (an XLSX workbook?), not CSV text; name it .xlsx or pass "
                        "--format xlsx."),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "x.csv is an Excel 97-2003 or password-protected workbook"),
])
def test_a_workbook_named_csv_is_refused(tmp_path: Path, content: bytes, message: str) -> None:
    with pytest.raises(UserError, match=message.replace("(", r"\(").replace(")", r"\)").replace("?", r"\?")):
        read_source(_write(tmp_path / "x.csv", content))


def test_missing_paths_and_directories_are_one_sentence(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="does not exist"):
        read_source(tmp_path / "nope.csv")
    with pytest.raises(UserError, match="is a directory"):
        read_source(tmp_path)
    with pytest.raises(UserError, match="--sheet only applies to XLSX"):
        read_source(write_csv(tmp_path / "a.csv", [ANA]), sheet="Influencers")


# JSON


def test_json_list_and_wrapped_object(store: Store, tmp_path: Path) -> None:
    items = [{"handle": "@ana", "email": "ana@example.com", "followers": 12500, "engagement_rate": 3.5,
              "tags": ["Beauty", "Food"], "platform": "instagram", "vip": True, "custom": {"shoe_size": 38}},
             {"handle": "bob", "followers": 1200.0, "name": None}]
    import_influencers(store, _write(tmp_path / "a.json", json.dumps(items)))
    ana = get_by_handle(store.reader(), "ana")
    assert (ana["followers"], ana["engagement_rate"], ana["tags"]) == (12500, 3.5, ["beauty", "food"])
    assert ana["custom"] == {"vip": "true", "shoe_size": "38"}
    assert get_by_handle(store.reader(), "bob")["followers"] == 1200
    report = import_influencers(store, _write(tmp_path / "b.json", json.dumps({"influencers": items})))
    assert (report.created, report.unchanged, report.unit) == (0, 2, "item")


def test_json_rows_are_numbered_by_item(store: Store, tmp_path: Path) -> None:
    items = [{"handle": "ana"}, "bob", {"handle": "carla", "tags": [1, 2]},
             {"handle": "dan", "email": ["a@example.com"]}, {"handle": "eve", "notes": {"a": 1}}]
    with pytest.raises(InvalidRows) as refused:
        import_influencers(store, _write(tmp_path / "i.json", json.dumps(items, indent=2)))
    assert [(r.line, r.reason) for r in refused.value.report.rejected] == [
        (2, "is a text, not an object with fields"),
        (3, "'tags' must be a list of texts"),
        (4, "'email' holds a list; only platform and tags may hold a list"),
        (5, "'notes' holds an object; only platform and tags may hold a list"),
    ]


def test_json_duplicate_keys_are_refused(store: Store, tmp_path: Path) -> None:
    with pytest.raises(InvalidRows) as refused:
        import_influencers(store, _write(tmp_path / "d.json", '[{"handle": "ana", "handle": "bob"}]'))
    assert refused.value.report.rejected[0].reason == "has the key 'handle' twice"


@pytest.mark.parametrize(("content", "message"), [
    ('[{"handle": "ana"},]', "j.json is not valid JSON: Expecting value at line 1, column 20."),
    ('[{"handle": "ana", "followers": NaN}]', "j.json is not valid JSON: NaN is not a number JSON allows."),
    ('{"people": []}', 'j.json must hold a list of influencer objects, or {"influencers": [...]}.'),
    ("42", 'j.json must hold a list of influencer objects, or {"influencers": [...]}.'),
    ("[]", "j.json has no rows."),
    ("  ", "j.json has no rows."),
    ("[" * 100_000, "j.json is nested too deeply to be a list of influencers."),
    ('[{"name": "Ana"}]', "j.json has no handle field; its fields are: name."),
])
def test_json_refusals_are_one_sentence(tmp_path: Path, content: str, message: str) -> None:
    with pytest.raises(UserError) as refused:
        table = read_source(_write(tmp_path / "j.json", content))
        map_columns(table)
    assert str(refused.value) == message


def test_nothing_changes_when_a_file_is_refused(store: Store, tmp_path: Path) -> None:
    import_influencers(store, write_csv(tmp_path / "a.csv", [ANA]))
    before = fingerprint(store.path)
    for name, content in [("q.csv", 'handle\n"ana\n'), ("d.csv", "handle,handle\na,b\n"), ("e.json", "[")]:
        with pytest.raises(UserError):
            import_influencers(store, _write(tmp_path / name, content))
    assert fingerprint(store.path) == before
