"""Bytes built ahead of sending are sent only while they are the row's own, under today's settings."""

from __future__ import annotations

from mailer.dispatch.dispatcher import Dispatcher
from mailer.dispatch.prebuild import prepare_outbox, settings_key
from mailer.smtp.mime import compose
from store.outbox.raw import rows_without_raw, save_raw
from tests.dispatch_helpers import add_campaign, make_config, queue, row, start_sink

URL = "https://brand.example/unsubscribe"


def _raw(store, message_id: int) -> tuple[str, bytes] | None:
    found = store.reader().execute("SELECT fingerprint, raw FROM outbox_raw WHERE message_id = ?",
                                   [message_id]).fetchone()
    return tuple(found) if found else None


async def test_prebuilt_bytes_are_what_goes_out_and_are_dropped_once_sent(store) -> None:
    sink = await start_sink()
    cid = add_campaign(store)
    [message_id] = queue(store, 1, campaign_id=cid)
    config = make_config(sink.port)
    assert prepare_outbox(store, config) == 1
    key, raw = _raw(store, message_id)
    assert key == settings_key(config.dispatch)
    await Dispatcher(store, config).run_until_empty()
    assert [item.raw for item in sink.received] == [raw]
    assert row(store, message_id)["status"] == "sent" and _raw(store, message_id) is None


async def test_an_edit_after_building_drops_the_bytes_and_the_edit_goes_out(store) -> None:
    sink = await start_sink()
    cid = add_campaign(store)
    [message_id] = queue(store, 1, campaign_id=cid)
    config = make_config(sink.port)
    prepare_outbox(store, config)
    with store.write() as db:
        db.conn.execute("UPDATE messages SET subject = 'Edited by the moderator' WHERE id = ?", [message_id])
    assert _raw(store, message_id) is None
    await Dispatcher(store, config).run_until_empty()
    assert [str(item.message["Subject"]) for item in sink.received] == ["Edited by the moderator"]


def test_an_edit_while_building_keeps_the_stale_bytes_out(store) -> None:
    """Read, build, then save: an edit in between (nothing to delete yet) must not be overtaken."""
    cid = add_campaign(store)
    [message_id] = queue(store, 1, campaign_id=cid)
    config = make_config(25)
    [read] = rows_without_raw(store.reader(), before="9999", limit=10)
    built = compose(read)
    with store.write() as db:
        db.conn.execute("UPDATE messages SET body = 'A new body' WHERE id = ?", [message_id])
    with store.write() as db:
        assert save_raw(db, [(read, settings_key(config.dispatch), built)]) == 0
    assert _raw(store, message_id) is None
    assert prepare_outbox(store, config) == 1
    assert b"A new body" in _raw(store, message_id)[1]


async def test_bytes_built_under_other_settings_are_rebuilt(store) -> None:
    sink = await start_sink()
    cid = add_campaign(store)
    [message_id] = queue(store, 1, campaign_id=cid)
    prepare_outbox(store, make_config(sink.port))
    await Dispatcher(store, make_config(sink.port, unsubscribe_url=URL)).run_until_empty()
    [received] = sink.received
    assert URL in str(received.message["List-Unsubscribe"])
    assert received.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert row(store, message_id)["status"] == "sent"
