"""R11 and R17: no header injection on the wire; suppression at claim time; unsubscribe headers."""

from __future__ import annotations

import email.utils
from email.headerregistry import Address

import pytest

from mailer.dispatch.dispatcher import Dispatcher
from mailer.smtp.mime import ALLOWED, ComposeError, compose
from store.outbox.queueing import enqueue
from tests.dispatch_helpers import add_campaign, add_influencer, make_config, row, start_sink

PAYLOADS = {
    "CR": "Hello\rX-Injected: yes",
    "LF": "Hello\nX-Injected: yes",
    "CRLF": "Hello\r\nX-Injected: yes",
    "trailing LF": "Hello\n",
    "encoded LF": "=?UTF-8?Q?=0A?=X-Injected: yes",
    "encoded CRLF": "=?utf-8?b?DQo=?=Bcc: evil@example.test",
    "U+2028": "Hello\u2028X-Injected: yes",
    "U+0085": "Hello\u0085X-Injected: yes",
    "VT": "Hello\x0bX-Injected: yes",
    "FF": "Hello\x0cX-Injected: yes",
    "NUL": "Hello\x00X-Injected: yes",
    "Bcc inside": "Ana\r\nBcc: evil@example.test",
}
BASE = {"from_addr": "team@brand.example", "from_name": "Brand Team", "to_addr": "ana@example.test",
        "subject": "Casting call", "body": "Hello Ana,\n", "body_html": None,
        "message_id": "<0123456789abcdef0123456789abcdef@brand.example>", "in_reply_to": None,
        "refs": None, "scheduled_at": None, "created_at": "2026-11-23T10:00:00+00:00"}
UNSUBSCRIBE = {"unsubscribe_url": "https://brand.example/unsubscribe",
               "unsubscribe_mailto": "unsubscribe@brand.example"}
EXPECTED = {"from", "to", "subject", "date", "message-id", "mime-version", "content-type",
            "content-transfer-encoding", "list-unsubscribe", "list-unsubscribe-post"}


def _header_block(raw: bytes) -> bytes:
    return raw.split(b"\r\n\r\n", 1)[0]


def _assert_clean(raw: bytes, threaded: bool = False) -> email.message.EmailMessage:
    head = _header_block(raw)
    assert b"\n" not in head.replace(b"\r\n", b"") and b"\r" not in head.replace(b"\r\n", b"")
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    names = [name.lower() for name in parsed]
    assert len(names) == len(set(names))
    assert set(names) == EXPECTED | ({"in-reply-to", "references"} if threaded else set())
    assert "\n" not in str(parsed["Subject"]) and "\r" not in str(parsed["Subject"])
    return parsed


@pytest.mark.parametrize("field", ["subject", "from_name"])
@pytest.mark.parametrize("payload", list(PAYLOADS.values()), ids=list(PAYLOADS))
async def test_injection_through_enqueue_never_reaches_the_wire(store, field, payload) -> None:
    """Through the outbox as the app fills it: refused with a sentence, or one clean message."""
    sink = await start_sink()
    cid = add_campaign(store)
    person = add_influencer(store, "ana", "ana@example.test", name=payload)
    with store.write() as db:
        values = {"subject": "Casting call", "from_name": "Brand Team", field: payload}
        message_id, _ = enqueue(db, now=store.now_iso(), kind="invitation", to_addr="ana@example.test",
                                from_addr="team@brand.example", body="Hi\n", influencer_id=person,
                                campaign_id=cid, in_reply_to="<a@b.example>\r\nBcc: evil@example.test",
                                **values)
    report = await Dispatcher(store, make_config(sink.port, **UNSUBSCRIBE)).run_until_empty()
    stored = row(store, message_id)
    if report.failed:
        assert stored["status"] == "failed" and sink.received == []
        assert "header injection" in stored["last_smtp_response"]
        return
    [received] = sink.received
    assert received.rcpt_tos == ["ana@example.test"]
    parsed = _assert_clean(received.raw, threaded=True)
    assert "X-Injected" not in parsed and "Bcc" not in parsed
    assert str(parsed["In-Reply-To"]) == "<a@b.example>"


@pytest.mark.parametrize("field", ["subject", "from_name"])
@pytest.mark.parametrize("payload", list(PAYLOADS.values()), ids=list(PAYLOADS))
def test_compose_refuses_raw_breaks_written_past_the_outbox(field, payload) -> None:
    """Rows edited directly (a moderator's edit, a bug elsewhere) are checked again when built."""
    try:
        raw = compose({**BASE, field: payload}, **UNSUBSCRIBE)
    except ComposeError as error:
        assert str(error).endswith(".")
        return
    parsed = _assert_clean(raw)
    assert "X-Injected" not in parsed and "Bcc" not in parsed


def test_an_injected_envelope_address_is_refused() -> None:
    for address in ('"a\r\nRCPT TO:<evil@x.example>"@example.test',
                    "ok@x.example>\r\nRCPT TO:<evil@y.example",
                    "x@y.example NOTIFY=SUCCESS", "Ana <ana@example.test>"):
        with pytest.raises(ComposeError, match="recipient address"):
            compose({**BASE, "to_addr": address}, **UNSUBSCRIBE)


async def test_a_tampered_address_never_becomes_a_recipient(store) -> None:
    sink = await start_sink()
    cid = add_campaign(store)
    with store.write() as db:
        message_id, _ = enqueue(db, now=store.now_iso(), kind="manual", to_addr="ana@example.test",
                                from_addr="team@brand.example", subject="Hi", body="Hi\n", campaign_id=cid)
        db.conn.execute("UPDATE messages SET to_addr = ? WHERE id = ?",
                        ['"a\r\nRCPT TO:<evil@x.example>"@example.test', message_id])
    report = await Dispatcher(store, make_config(sink.port)).run_until_empty()
    assert report.failed == 1 and sink.received == []
    assert "recipient address" in row(store, message_id)["last_smtp_response"]


async def test_unicode_display_names_and_subjects_arrive_intact(store) -> None:
    sink = await start_sink()
    with store.write() as db:
        enqueue(db, now=store.now_iso(), kind="manual", to_addr="ana@example.test",
                from_addr="team@brand.example", from_name='Équipe "Brand", Paris',
                subject="Casting à Paris — été 2027 " + "très long " * 12, body="Bonjour Ana,\nÀ bientôt.\n",
                body_html="<p>Bonjour <b>Ana</b></p>")
    await Dispatcher(store, make_config(sink.port)).run_until_empty()
    [received] = sink.received
    parsed = received.message
    assert parsed["From"].addresses[0] == Address('Équipe "Brand", Paris', "team", "brand.example")
    assert str(parsed["Subject"]) == "Casting à Paris — été 2027 " + "très long " * 11 + "très long"
    assert parsed.get_body(("plain",)).get_content().replace("\r\n", "\n") == "Bonjour Ana,\nÀ bientôt.\n"
    assert "<b>Ana</b>" in parsed.get_body(("html",)).get_content()
    assert received.raw.isascii()


@pytest.mark.parametrize("flag", ["unsubscribed", "bounced"])
async def test_suppressed_after_queueing_is_skipped_at_claim_time(store, flag) -> None:
    sink = await start_sink()
    cid = add_campaign(store)
    person = add_influencer(store, "ana", "ana@example.test")
    keep = add_influencer(store, "bob", "bob@example.test")
    with store.write() as db:
        ids = [enqueue(db, now=store.now_iso(), kind="invitation", to_addr=address,
                       from_addr="team@brand.example", subject="Casting", body="Hi\n",
                       influencer_id=who, campaign_id=cid)[0]
               for who, address in ((person, "ana@example.test"), (keep, "bob@example.test"))]
        db.conn.execute(f"UPDATE influencers SET {flag} = 1 WHERE id = ?", [person])
    report = await Dispatcher(store, make_config(sink.port)).run_until_empty()
    assert (report.sent, report.skipped) == (1, 1)
    skipped = row(store, ids[0])
    assert skipped["status"] == "skipped" and flag in skipped["flags"]
    assert skipped["attempts"] == 0
    assert [item.rcpt_tos for item in sink.received] == [["bob@example.test"]]


async def test_unsubscribe_headers_are_exact(store) -> None:
    sink = await start_sink()
    cid = add_campaign(store)
    person = add_influencer(store, "ana", "ana@example.test")
    with store.write() as db:
        message_id, _ = enqueue(db, now=store.now_iso(), kind="invitation", to_addr="ana@example.test",
                                from_addr="team@brand.example", from_name="Brand Team", subject="Casting",
                                body="Hi\n", influencer_id=person, campaign_id=cid)
    await Dispatcher(store, make_config(sink.port, **UNSUBSCRIBE)).run_until_empty()
    stored = row(store, message_id)
    token = stored["message_id"][1:33]
    parsed = _assert_clean(sink.received[0].raw)
    assert str(parsed["List-Unsubscribe"]) == (
        f"<https://brand.example/unsubscribe?id={token}>, "
        f"<mailto:unsubscribe@brand.example?subject=unsubscribe%20{token}>")
    assert str(parsed["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
    assert str(parsed["Message-ID"]) == stored["message_id"]
    assert email.utils.parsedate_to_datetime(str(parsed["Date"])).isoformat() == stored["created_at"]
    assert parsed["From"].addresses[0] == Address("Brand Team", "team", "brand.example")


def test_without_an_https_url_only_mailto_and_no_one_click() -> None:
    raw = compose(BASE)
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert str(parsed["List-Unsubscribe"]) == (
        "<mailto:team@brand.example?subject=unsubscribe%200123456789abcdef0123456789abcdef>")
    assert "List-Unsubscribe-Post" not in parsed
    assert set(name.lower() for name in parsed) <= ALLOWED
