"""A toast in the app when replies arrive, whoever stored them (a sync in another process)."""

from __future__ import annotations

from pathlib import Path

from mailer.imap.parse import parse
from store import inbound
from store.db import Store
from tests.inbox_helpers import add_influencer, raw_mail
from tests.pilot_helpers import until
from tui.app import make_app
from tui.reply_watch import replies_sentence


def receive(store: Store, sender: str, message_id: str) -> None:
    with store.write() as db:
        inbound.save(db, parse(raw_mail(sender, message_id=message_id)), now=store.now_iso(),
                     actor=store.actor)


def _toasts(app) -> list[str]:
    return [n.message for n in app._notifications if n.title == "Inbox"]


async def test_replies_stored_elsewhere_are_announced_once(store: Store, db_path: Path) -> None:
    for handle in ("ana", "bo", "cy"):
        add_influencer(store, handle, f"{handle}@mail.example")
    receive(store, "ana@mail.example", "<old@mail.example>")  # there before the app: no toast
    other = Store(db_path, store.clock)  # another process's sync, as `callsheet sync` would
    app = make_app(store)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: app._replies_seen is not None)
            receive(other, "bo@mail.example", "<r1@mail.example>")
            await until(pilot, lambda: _toasts(app) == ["New reply from @bo."])
            receive(other, "cy@mail.example", "<r2@mail.example>")
            receive(other, "ana@mail.example", "<r3@mail.example>")
            await until(pilot, lambda: len(_toasts(app)) == 2)
            assert _toasts(app)[1] == "2 new replies: @cy, @ana."
    finally:
        other.close()


def test_the_sentence_names_a_few_and_counts_the_rest() -> None:
    assert replies_sentence(["ana"]) == "New reply from @ana."
    assert replies_sentence(["ana", "ana"]) == "2 new replies: @ana."
    assert replies_sentence(["a", "b", "c", "d", "e", "a"]) == "6 new replies: @a, @b, @c and 2 others."
    assert replies_sentence(["a", "b", "c", "d"]) == "4 new replies: @a, @b, @c and 1 other."
