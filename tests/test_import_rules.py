"""The value rules of the import columns, and the R12 address matrix through a real import."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from store.addresses import normalise_address
from store.db import Store
from store.errors import UserError
from store.ingest import fields as rules
from store.ingest.columns import identifier
from store.ingest.importer import InvalidRows, import_influencers


@pytest.mark.parametrize(("text", "count"), [
    ("12500", 12500), ("12,500", 12500), ("1.234.567", 1234567), ("12 500", 12500),
    ("12\u202f500", 12500), ("12k", 12000), ("12.5K", 12500), ("1.2m", 1_200_000), ("1,5M", 1_500_000),
    ("2b", 2_000_000_000), ("0", 0), ("12500.0", 12500), ("1_000", 1000),
])
def test_followers_accepts_what_people_write(text: str, count: int) -> None:
    assert rules.followers(text) == count


@pytest.mark.parametrize("text", ["-5", "12.5", "12,50", "lots", "1e6", "12kk", "99b", "²", "١٢"])
def test_followers_refuses_the_rest(text: str) -> None:
    with pytest.raises(rules.Invalid, match="followers"):
        rules.followers(text)


@pytest.mark.parametrize(("text", "rate"), [("3.5", 3.5), ("3.5%", 3.5), ("3,5 %", 3.5), ("0", 0.0),
                                            ("100%", 100.0), ("0.035", 0.035)])
def test_engagement_rate_is_a_percentage(text: str, rate: float) -> None:
    assert rules.engagement_rate(text) == rate


@pytest.mark.parametrize("text", ["100.1", "-1", "high", "3.5%%", "%"])
def test_engagement_rate_refuses_the_rest(text: str) -> None:
    with pytest.raises(rules.Invalid, match="engagement_rate"):
        rules.engagement_rate(text)


def test_country_and_language_codes() -> None:
    assert rules.country("fr") == "FR"
    assert rules.language("FR") == "fr" and rules.language("pt_BR") == "pt-br"
    for bad_country in ("FRA", "F", "France", "1A"):
        with pytest.raises(rules.Invalid):
            rules.country(bad_country)
    for bad_language in ("english", "f", "e1"):
        with pytest.raises(rules.Invalid):
            rules.language(bad_language)


def test_word_lists_are_trimmed_lower_cased_and_unique() -> None:
    assert rules.word_list("tags", " Beauty, #Fashion ,beauty,, ", strip_hash=True) == ["beauty", "fashion"]
    assert rules.word_list("platform", ["YouTube", "TikTok"]) == ["youtube", "tiktok"]
    assert rules.word_list("tags", " , ") is None
    with pytest.raises(rules.Invalid, match="tags contains a line break"):
        rules.word_list("tags", "a\nb")


@pytest.mark.parametrize(("text", "handle"), [("@ana", "ana"), ("Ana.Lopez", "Ana.Lopez"),
                                              ("ana_lopez-2", "ana_lopez-2"), ("josé", "josé")])
def test_handles(text: str, handle: str) -> None:
    assert rules.handle(text) == handle


@pytest.mark.parametrize("text", ["a b", "@@ana", "ana;Ana", "https://instagram.com/ana", "a" * 65, "ana!"])
def test_bad_handles(text: str) -> None:
    with pytest.raises(rules.Invalid, match="handle"):
        rules.handle(text)


@pytest.mark.parametrize(("header", "key"), [
    ("Shoe size", "shoe_size"), ("shoe-size", "shoe_size"), ("  Taille (cm) ", "taille_cm"),
    ("Größe", "große"), ("Café", "cafe"), ("2025 fee", "col_2025_fee"), ("if", "if_"), ("True", "true_"),
])
def test_custom_column_names_become_template_keys(header: str, key: str) -> None:
    assert identifier(header) == key and key.isidentifier()


def _assert_quick_check_agrees(text: str) -> None:
    """The import's fast address path accepts and normalises exactly what store.addresses does."""
    try:
        expected: str | None = normalise_address(text)
    except UserError:
        expected = None
    try:
        got: str | None = rules.email(text)
    except rules.Invalid:
        got = None
    assert got == expected


@given(st.text(max_size=40))
def test_the_quick_address_check_agrees_with_store_addresses(text: str) -> None:
    _assert_quick_check_agrees(text)


@given(st.from_regex(r"[A-Za-z0-9_+-]{1,70}@[A-Za-z0-9-]{1,64}\.[A-Za-z]{1,5}", fullmatch=True))
def test_the_quick_address_check_agrees_on_plain_addresses(text: str) -> None:
    _assert_quick_check_agrees(text)


R12_BAD = {
    "space": "a b@example.com",
    "two_ats": "a@@example.com",
    "no_local": "@example.com",
    "no_domain": "ana@",
    "dot_end": "ana.@example.com",
    "long_local": "a" * 65 + "@example.com",
    "display_name": "Ana <ana@example.com>",
    "list": "ana@example.com, bob@example.org",
    "quoted_crlf": '"a\r\nRCPT TO:<evil@x>"@example.test',
    "angle_crlf": "ok@example.com>\r\nRCPT TO:<evil@example.org",
    "notify": "x@example.com NOTIFY=SUCCESS",
    "trailing_newline": "ana@example.com\n",
    "leading_space": " ana@example.com",
    "trailing_space": "ana@example.com ",
    "single_label": "ana@x",
}
R12_GOOD = {"idn": ("ana@Exämple.COM", "ana@xn--exmple-cua.com"),
            "upper_domain": ("Bob.K@Example.ORG", "Bob.K@example.org")}


def _r12_file(path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(["handle", "email"])
        for handle, address in R12_BAD.items():
            writer.writerow([handle, address])
        for handle, (address, _) in R12_GOOD.items():
            writer.writerow([handle, address])
    return path


def _start_lines(path: Path) -> dict[str, int]:
    """The physical line each handle's record starts on (some records span two lines)."""
    lines = re.split(r"\r\n|\r|\n", path.read_bytes().decode("utf-8"))
    return {line.split(",")[0]: number for number, line in enumerate(lines, start=1)
            if line.split(",")[0] in {**R12_BAD, **R12_GOOD}}


def test_r12_every_bad_address_is_rejected_with_its_line(store: Store, tmp_path: Path) -> None:
    path = _r12_file(tmp_path / "r12.csv")
    with pytest.raises(InvalidRows) as refused:
        import_influencers(store, path)
    rejected = {r.handle: r for r in refused.value.report.rejected}
    assert set(rejected) == set(R12_BAD)
    starts = _start_lines(path)
    for handle, rejection in rejected.items():
        assert rejection.line == starts[handle], handle
        assert rejection.reason.startswith("email "), rejection.reason
    assert store.reader().execute("SELECT count(*) FROM influencers").fetchone()[0] == 0


def test_r12_skip_invalid_stores_only_normalised_addresses(store: Store, tmp_path: Path) -> None:
    report = import_influencers(store, _r12_file(tmp_path / "r12.csv"), skip_invalid=True)
    assert report.created == len(R12_GOOD) and len(report.rejected) == len(R12_BAD)
    stored = dict(store.reader().execute("SELECT handle, email FROM influencers").fetchall())
    assert stored == {handle: normalised for handle, (_, normalised) in R12_GOOD.items()}
    assert not any("evil" in address for address in stored.values())
