"""The query syntax: parse -> SQL -> the influencers a real SQLite file returns."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store.clock import Clock
from store.db import Store
from store.query.parser import QueryError, parse_query
from tests.query_data import EVERYONE, NOW, seed

CLOCK = Clock.fixed(NOW)


@pytest.fixture(scope="module")
def conn(tmp_path_factory: pytest.TempPathFactory) -> sqlite3.Connection:
    path = Path(tmp_path_factory.mktemp("query")) / "query.db"
    store = Store(path, CLOCK, actor="tester")
    seed(store)
    store.close()
    connection = sqlite3.connect(path)
    yield connection
    connection.close()


def matches(conn: sqlite3.Connection, text: str) -> set[str]:
    where, params = parse_query(text).to_sql(CLOCK.now())
    return {row[0] for row in conn.execute(f"SELECT i.handle FROM influencers i WHERE {where}", params)}


def but(*handles: str) -> set[str]:
    return set(EVERYONE - set(handles))


CASES = [
    # empty, bare words and phrases over handle, name, first name and email
    ("", set(EVERYONE)), ("   ", set(EVERYONE)),
    ("ana", {"ana"}), ("ANA", {"ana"}), ("@ana", {"ana"}), ("silva", {"ana"}),
    ('"Ana Silva"', {"ana"}), ('"ana silva"', {"ana"}), ("Léa", {"lea"}), ("Real", {"100pct"}),
    ("mail.example", but("lea")), ("ana marco", set()), ("ana OR marco", {"ana", "marco"}),
    # LIKE wildcards in values match themselves; * is the wildcard
    ("_", {"jonas"}), ("%", {"100pct"}), ("100%", {"100pct"}), ("jonas_m", {"jonas"}),
    ("r*l", {"100pct", "marco"}),
    # list keys (JSON arrays), case-insensitive, comma alternatives, negation
    ("tag:beauty", {"ana", "lea", "sofia.garcia"}), ("tag:BEAUTY", {"ana", "lea", "sofia.garcia"}),
    ("tags:beauty", {"ana", "lea", "sofia.garcia"}), ("tag:beaut", set()),
    ("tag:beauty,fitness", {"ana", "lea", "sofia.garcia", "marco"}),
    ("-tag:beauty", {"marco", "jonas", "100pct"}),
    ("platform:youtube", {"marco", "100pct"}), ("platform:instagram platform:tiktok", {"ana"}),
    # codes
    ("country:fr", {"ana"}), ("country:BE", {"lea"}), ("country:FR,be", {"ana", "lea"}),
    ("-country:FR", but("ana")), ("language:FR", {"ana", "lea"}), ("lang:de", {"jonas"}),
    # text keys: handle is exact, name and email contain; * is a wildcard
    ("handle:ana", {"ana"}), ("handle:@ANA", {"ana"}), ("handle:an", set()),
    ("handle:s*", {"sofia.garcia"}), ("handle:*o*", {"marco", "jonas", "sofia.garcia"}),
    ("handle:100%", set()), ("handle:100*", {"100pct"}),
    ("name:rossi", {"marco"}), ('name:"Sofia García"', {"sofia.garcia"}), ("name:M*", {"marco"}),
    ("email:jonas_m", {"jonas"}), ("email:_", {"jonas"}), ("email:*@mail.example", but("lea")),
    # numbers, comparisons, k/m suffixes, ranges; unknown numbers never match, but do match a negation
    ("followers>=12k", {"ana", "marco", "100pct", "sofia.garcia"}),
    ("followers>12000", {"marco", "100pct", "sofia.garcia"}), ("followers<1k", {"lea"}),
    ("followers<=800", {"lea"}), ("followers:800", {"lea"}), ("followers=800", {"lea"}),
    ("followers>=1.5m", {"100pct"}), ("followers>=1.5M", {"100pct"}),
    ("followers:10k..50k", {"ana", "sofia.garcia"}), ("-followers>=10k", {"lea", "jonas"}),
    ("engagement>=3.5", {"ana", "lea", "sofia.garcia"}), ("engagement>3.5%", {"lea", "sofia.garcia"}),
    ("engagement<1", {"100pct"}), ("engagement_rate<1", {"100pct"}),
    # campaigns and stages
    ('campaign:"Spring 25"', {"ana", "marco"}), ('campaign:"spring 25"', {"ana", "marco"}),
    ("campaign:glow", {"sofia.garcia", "lea"}), ("-campaign:glow", but("sofia.garcia", "lea")),
    ("campaign:nope", set()), ("stage:in_campaign", {"ana"}), ('stage:"to review"', {"marco"}),
    ("stage:to-review,shortlisted", {"marco", "lea"}), ("campaign:glow stage:invited", {"sofia.garcia"}),
    # behaviour: replies, contact (sent, or history without status) within N days, invitations
    ("replied:yes", {"ana"}), ("replied:no", but("ana")), ("-replied:yes", but("ana")),
    ("contacted:yes", {"ana", "marco", "jonas"}), ("contacted:no", {"lea", "100pct", "sofia.garcia"}),
    ("contacted:7d", {"ana", "jonas"}), ("contacted<2d", {"jonas"}), ("contacted<=1w", {"ana", "jonas"}),
    ("contacted>7d", {"marco"}), ("-contacted:30d", but("ana", "jonas")),
    ("invited:yes", {"ana", "sofia.garcia"}), ("invited:no", but("ana", "sofia.garcia")),
    # flags and has:
    ("bookmarked:yes", {"ana"}), ("bookmarked:no", but("ana")), ("unsubscribed:yes", {"lea"}),
    ("bounced:true", {"jonas"}), ("suppressed:yes", {"lea", "jonas"}), ("suppressed:no", but("lea", "jonas")),
    ("has:email", but("lea")), ("-has:email", {"lea"}), ("has:address", {"ana", "jonas", "sofia.garcia"}),
    ("has:notes", {"sofia.garcia"}),
    # custom variables
    ("var.city:paris", {"ana"}), ("var.CITY:Paris", {"ana"}), ("var.shoe_size>=40", {"marco"}),
    ("var.shoe_size<40", {"ana"}), ("var.shoe_size:38", {"ana"}), ('var.note:"50% off"', {"jonas"}),
    ("var.note:50%", set()), ("var.note:50%*", {"jonas"}), ("var.note:5_%*", set()),
    ("var.city:*", {"ana", "marco", "sofia.garcia"}), ("-var.city:*", {"lea", "jonas", "100pct"}),
    # grouping, precedence, NOT/AND keywords, double negation
    ("(tag:beauty OR tag:fitness) country:IT", {"marco"}),
    ("tag:beauty OR tag:fitness country:IT", {"ana", "lea", "sofia.garcia", "marco"}),
    ("tag:beauty (country:FR OR country:ES)", {"ana", "sofia.garcia"}),
    ("-(tag:beauty OR tag:fitness)", {"jonas", "100pct"}), ("NOT tag:beauty", {"marco", "jonas", "100pct"}),
    ("tag:beauty AND country:FR", {"ana"}), ("--tag:food", {"100pct"}), ('"OR"', set()),
    ("((ana))", {"ana"}), ("(ana OR marco) (marco OR lea)", {"marco"}),
    ('tag:beauty -suppressed:yes followers>=10k -campaign:"Spring 25"', {"sofia.garcia"}),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_query_matches(conn: sqlite3.Connection, text: str, expected: set[str]) -> None:
    assert matches(conn, text) == expected


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_normalised_text_means_the_same(conn: sqlite3.Connection, text: str, expected: set[str]) -> None:
    normal = str(parse_query(text))
    assert str(parse_query(normal)) == normal
    assert matches(conn, normal) == expected


@pytest.mark.parametrize(("text", "normal"), [
    ("  tag:beauty   followers>=10k ", "tag:beauty followers>=10000"),
    ("a (b OR c) -(d e)", "a (b OR c) -(d e)"), ("a (b c)", "a b c"), ("(a OR (b OR c))", "a OR b OR c"),
    ('name:"Ana Silva"', 'name:"Ana Silva"'), ("Tags:x", "tag:x"), ("stage:To-Review", "stage:to_review"),
    ("contacted<=2w", "contacted:14d"), ("contacted>=3d", "contacted>3d"), ("replied:TRUE", "replied:yes"),
    ('"tag:x"', '"tag:x"'), ('"a\\"b"', '"a\\"b"'), ("NOT a AND b", "-a b"),
    ("engagement>2.5%", "engagement>2.5"), ("engagement>.000001", "engagement>0.000001"),
    ("followers>1.1k", "followers>1100"), ("followers:.5k..1.25m", "followers:500..1250000"),
])
def test_str_is_the_normalised_query(text: str, normal: str) -> None:
    assert str(parse_query(text)) == normal


ERRORS = [
    ("folowers>10", "Unknown key 'folowers' in 'folowers>10'; did you mean 'followers'?"),
    ("zzz:1", "Unknown key 'zzz' in 'zzz:1'; the keys are tag, platform"),
    ("(tag:beauty", "Unbalanced parentheses: '(' at position 1 is never closed."),
    ("tag:beauty)", "Unbalanced parentheses: ')' at position 11 has no matching '('."),
    ("a (b", "'(' at position 3 is never closed"), ("(", "'(' at position 1 is never closed"),
    ("followers>=lots", "followers needs a number such as 10000, 10k or 1.5m, not 'lots'"),
    ("engagement>high", "engagement needs a number such as 3.5 (percent)"),
    ("followers>=12345678901234", "followers needs a number"),
    ('name:"Ana', "Unterminated quote at position 6"), ('"abc', "Unterminated quote at position 1"),
    ("tag:beauty OR", "'OR' at position 12 needs a term on each side."),
    ("OR tag:beauty", "'OR' at position 1 needs a term on each side."),
    ("a OR OR b", "'OR' at position 3 needs a term on each side."),
    ("(a OR) b", "'OR' at position 4 needs a term"), ("a AND", "'AND' at position 3 needs a term"),
    ("AND a", "'AND' at position 1"),
    ("replied:maybe", "replied takes yes, no, positive, negative or neutral, not 'maybe'"),
    ("bookmarked:1", "bookmarked takes yes or no"),
    ("clicked:maybe", "clicked takes yes, no or a number of days such as 7d or 2w, not 'maybe'"),
    ("clicked>1", "clicked takes yes, no or a number of days"), ("clickd:yes", "did you mean 'clicked'?"),
    ("tag>=3", "'tag>=3' compares, but tag is not a number"), ("tag:", "'tag:' needs a value after the ':'"),
    ('tag:""', "needs a value"), ("()", "Empty parentheses at position 1."),
    ('""', "Empty quotes at position 1."),
    ("- tag:x", "The '-' at position 1 must be followed directly by a term"), ("a -", "position 3"),
    ("NOT", "'NOT' at position 1 needs a term right after it."), ("-(", "'(' at position 2 is never closed"),
    ("stage:reviewd", "Unknown stage 'reviewd' in 'stage:reviewd'; did you mean 'to review'?"),
    ("stage:zz", "the stages are invited, to review"),
    ("contacted:soon", "contacted takes yes, no or a number of days such as 7d"),
    ("contacted>7", "not '7'"), ("contacted<99999d", "reaches back more than 36500 days"),
    ("has:phone", "has takes email, address, notes, not 'phone'"),
    ("var.:x", "needs a variable name after 'var.'"), ("var.age>old", "var.age needs a number"),
    ("tag:a,,b", "'tag:a,,b' has an empty value in its list."), ('ab"cd"', "Unexpected quote at position 3"),
    ('"ab"cd', "Unexpected text at position 5"), ("followers:50k..10k", "is an empty range"),
    ("a " * 101, "The query has 101 terms; at most 100"), ("(" * 30 + "a" + ")" * 30, "more than 20 deep"),
    ("-" * 30 + "a", "more than 20 deep"), ("x" * 5000, "The query is too long (5000 characters"),
    ("tag:\ud800", "invalid character at position 5"),
]


@pytest.mark.parametrize(("text", "fragment"), ERRORS)
def test_errors_are_one_sentence(text: str, fragment: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse_query(text)
    sentence = str(caught.value)
    assert fragment in sentence
    assert "\n" not in sentence and sentence.endswith((".", "?"))


def test_an_error_names_a_multi_line_term_on_one_line() -> None:
    with pytest.raises(QueryError) as caught:
        parse_query('colr:"a\nb"')
    assert "\n" not in str(caught.value) and "Unknown key 'colr'" in str(caught.value)


def test_campaign_segment_option_is_checked_with_the_query_syntax(store: Store) -> None:
    from store import campaigns
    from store.campaigns import CampaignSpec

    with pytest.raises(QueryError, match="did you mean 'followers'"), store.write() as db:
        campaigns.create(db, CampaignSpec(name="X", segment="folowers>1"), actor="tester", now=NOW)
    assert store.reader().execute("SELECT count(*) FROM campaigns").fetchone()[0] == 0


HOSTILE = ["x'); DROP TABLE influencers; --", "' OR 1=1 --", "%_%", "back\\slash", 'say "hi"',
           "1; DELETE FROM messages"]


@pytest.mark.parametrize("key", ["tag", "platform", "country", "language", "handle", "name", "email",
                                 "campaign", "var.k"])
@pytest.mark.parametrize("value", HOSTILE)
def test_values_never_reach_the_sql_text(conn: sqlite3.Connection, key: str, value: str) -> None:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    for text in (f'{key}:"{escaped}"', f'"{escaped}"'):
        sql, params = parse_query(text).to_sql(CLOCK.now())
        assert value not in sql.replace("ESCAPE '\\'", "")
        assert params
        assert conn.execute(f"SELECT count(*) FROM influencers i WHERE {sql}", params).fetchone() == (0,)
    assert conn.execute("SELECT count(*) FROM influencers").fetchone()[0] == len(EVERYONE)


@given(marker=st.from_regex(r"[a-z]{3}[0-9]{3}zq", fullmatch=True),
       key=st.sampled_from(["tag", "handle", "name", "email", "campaign", "country", "var.x", ""]))
@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
def test_a_marked_value_appears_only_in_parameters(marker: str, key: str) -> None:
    text = f"{key}:{marker}" if key else marker
    sql, params = parse_query(text).to_sql(CLOCK.now())
    assert marker not in sql
    assert any(marker in str(p) for p in params)


FRAGMENTS = ["tag:", "followers>=", "followers<", "engagement>", "10k", "1.5m", "x", "(", ")", " ", " OR ",
             " AND ", "NOT ", "-", '"', "\\", "beauty", "contacted<", "contacted:", "7d", "yes", "no",
             "var.x:", "var.y>", "stage:", "to_review", "campaign:", "has:", "email", ",", "..", "%", "_",
             "*", "@", ".000001", "1.1k", "replied:", "positive", "country:", "clicked:", "handle:", ":", "=",
             ">", "é"]


@given(st.one_of(st.text(max_size=40), st.lists(st.sampled_from(FRAGMENTS), max_size=14).map("".join)))
@settings(max_examples=400, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
def test_any_text_parses_and_runs_or_is_a_query_error(conn: sqlite3.Connection, text: str) -> None:
    try:
        query = parse_query(text)
    except QueryError as error:
        assert "\n" not in str(error)
        return
    sql, params = query.to_sql(CLOCK.now())
    found = conn.execute(f"SELECT count(*) FROM influencers i WHERE {sql}", params).fetchone()[0]
    normal = str(query)
    assert str(parse_query(normal)) == normal
    assert matches(conn, normal) == matches(conn, text) and 0 <= found <= len(EVERYONE)


@pytest.mark.parametrize(("text", "index"), [
    ("followers>=10k", "influencers_followers"), ("country:fr", "influencers_country_nocase"),
    ("language:FR", "influencers_language_nocase"), ("handle:ana", "influencers_handle_key"),
    ("replied:no", "messages_replies"), ("replied:positive", "messages_reply_signals"),
    ("contacted:7d", "messages_influencer_contact"),
    ("campaign:glow", "(campaign_id=?)"), ("has:notes", "notes_influencer"),
])
def test_queries_use_indexes(conn: sqlite3.Connection, text: str, index: str) -> None:
    sql, params = parse_query(text).to_sql(CLOCK.now())
    plan = " | ".join(row[3] for row in conn.execute(
        f"EXPLAIN QUERY PLAN SELECT i.id FROM influencers i WHERE {sql}", params))
    assert index in plan, plan


def test_a_bounce_is_not_a_reply(store: Store) -> None:
    """Delivery reports arrive inbound but say nothing from the influencer."""
    with store.write() as db:
        for handle, kind in (("bounced", "bounce"), ("talker", "reply")):
            cursor = db.conn.execute("INSERT INTO influencers (handle, created_at, updated_at) "
                                     "VALUES (?, ?, ?)", (handle, NOW, NOW))
            db.conn.execute("INSERT INTO messages (influencer_id, direction, kind, message_id, created_at,"
                            " updated_at) VALUES (?, 'in', ?, ?, ?, ?)",
                            (cursor.lastrowid, kind, f"<{handle}@x>", NOW, NOW))
    where, params = parse_query("replied:yes").to_sql(CLOCK.now())
    found = {r[0] for r in store.reader().execute(f"SELECT handle FROM influencers i WHERE {where}", params)}
    assert found == {"talker"}
