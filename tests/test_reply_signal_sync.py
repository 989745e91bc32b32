"""The reply signal through a real Dovecot: auto-replies stop nothing, marks are guessed and kept."""

from __future__ import annotations

from datetime import timedelta

from mailer.actions import inbox as inbox_actions
from mailer.actions import reply_signals
from mailer.imap.sync import sync
from store import reply_marks
from store.db import Store
from store.query.parser import parse_query
from tests.dovecot import ImapAccount
from tests.inbox_helpers import raw_mail
from tests.outreach_helpers import accept
from tests.test_inbox_sync import append, recreate_inbox
from tests.test_sequence import invited, live, paris, steps

pytest_plugins = ["tests.conftest_dovecot"]

OUT_OF_OFFICE = "Auto-Submitted: auto-replied\r\nX-Autoreply: yes\r\nPrecedence: auto_reply"


def found(store: Store, query: str) -> set[str]:
    where, params = parse_query(query).to_sql(store.clock.now())
    rows = store.reader().execute(f"SELECT handle FROM influencers i WHERE {where}", params)
    return {row[0] for row in rows}


def test_an_out_of_office_stops_nothing_and_a_yes_is_positive(store: Store,
                                                              imap_account: ImapAccount) -> None:
    campaign, ids = invited(store, window="mon-fri 09:00-18:00", followups=[3, 7])
    store.clock.pinned = paris(2026, 3, 27, 12)
    for influencer in ids:
        accept(store, campaign, influencer, store.clock.now())
    live(store, paris(2026, 4, 3, 12), step=timedelta(hours=1))
    welcomes = {n: steps(store, ids[n])["welcome"] for n in (1, 2)}
    away = raw_mail("person1@mail.example", subject="Out of office: away until May",
                    body="I am away until May with no access to my mail.",
                    message_id="<p1-away@mail.example>", in_reply_to=welcomes[1]["message_id"],
                    date="2026-04-03T10:00:00+00:00", extra=OUT_OF_OFFICE)
    yes = raw_mail("person2@mail.example", subject=f"Re: {welcomes[2]['subject']}",
                   body="Yes, count me in!\n\n> Would you like to take part?",
                   message_id="<p2-yes@mail.example>", in_reply_to=welcomes[2]["message_id"],
                   date="2026-04-03T10:05:00+00:00")
    append(imap_account, away, yes)
    synced = inbox_actions.sync_mail(store)
    assert (synced.report.fetched, synced.report.matched, synced.report.auto_replies) == (2, 2, 1)
    assert synced.sentence.startswith("Fetched 2 messages: 2 matched (1 auto-reply), 0 kept aside")
    kinds = dict(store.writer.execute("SELECT message_id, kind FROM messages WHERE direction = 'in'"))
    assert kinds == {"<p1-away@mail.example>": "auto-reply", "<p2-yes@mail.example>": "reply"}

    live(store, paris(2026, 4, 14), step=timedelta(hours=1))
    quiet, away_steps, yes_steps = (steps(store, ids[n]) for n in range(3))
    assert quiet["followup-2"]["status"] == "sent"
    assert away_steps["followup-2"]["status"] == "sent"  # the out-of-office stopped nothing
    stopped = yes_steps["followup-2"]
    assert stopped["status"] == "skipped" and "stopped_reply" in stopped["flags"]
    assert found(store, "replied:yes") == {"person2"}
    assert found(store, "replied:no") == {"person0", "person1"}
    assert found(store, "replied:positive") == {"person2"}
    assert found(store, "replied:negative") == set()


def test_the_operator_mark_survives_a_rescan_and_a_new_guess(store: Store, imap_account: ImapAccount) -> None:
    from tests.inbox_helpers import add_influencer, send

    sent = send(store, add_influencer(store, "ana"), subject="Casting")
    yes = raw_mail("ana@mail.example", subject="Re: Casting", body="Yes, count me in!",
                   message_id="<ana-yes@mail.example>", in_reply_to=sent)
    append(imap_account, yes)
    sync(store)
    assert found(store, "replied:positive") == {"ana"}
    marked = reply_signals.mark_reply(store, "ana", "negative")
    assert marked.sentence == "Marked ana's latest reply negative (was positive)."

    # The mailbox is recreated (new UIDVALIDITY): everything is fetched again, and the rules run again.
    recreate_inbox(imap_account, yes)
    again = sync(store)
    assert (again.fetched, again.duplicates) == (1, 1)
    with store.write() as db:
        reply_marks.guess_again(db)
    assert found(store, "replied:positive") == set() and found(store, "replied:negative") == {"ana"}
    row = store.writer.execute("SELECT reply_signal, reply_signal_by FROM messages WHERE message_id = ?",
                               ("<ana-yes@mail.example>",)).fetchone()
    assert row == ("negative", "tester")
