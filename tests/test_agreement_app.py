"""A campaign that requires agreements, run in the app from the applications to the start of the
collaboration (A send agreement, S signed, R refused, a accept, C start collaboration); then its
mail is dispatched to a real SMTP server.

The app's own dispatcher stays off here (no SMTP settings while it runs): it is a worker that
never ends, and the Pilot helpers wait for every worker to finish.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Select, Static

from mailer.actions import outbox, pipeline
from store import operators, stages
from store.clock import Clock
from store.db import Store
from tests.app_helpers import PINNED
from tests.cli_helpers import assert_user_error, run
from tests.dispatch_helpers import Sink, ThreadedSink, make_config
from tests.pilot_helpers import settled, until
from tests.pipeline_helpers import add_influencer, make_campaign, stage_of, table_counts
from tui.app import CallsheetApp, make_app
from tui.screens.pipeline import PipelineScreen
from tui.widgets.confirm import ConfirmScreen
from tui.widgets.pipeline_bits import CountersBar, ProfilePanel

CAMPAIGN = "Deal"
OPERATOR = "olga"
APPLICANTS = ("ana", "bob", "cleo", "dan")
DEADLINE = "2026-11-26 11:00 CET"  # PINNED + 3 days, in Paris


def _deal(path: Path, actor: str = OPERATOR) -> Store:
    """Four applicants waiting for review and one invitee who has not answered, set up by the actions."""
    store = Store(path, Clock.fixed(PINNED), actor=actor)
    make_campaign(store, CAMPAIGN, requires_agreement=True, agreement_days=3, timezone="Europe/Paris",
                  moderation=False)
    for handle in (*APPLICANTS, "eve"):
        add_influencer(store, handle)
    for handle in APPLICANTS:
        pipeline.apply(store, CAMPAIGN, handle)
    pipeline.invite(store, CAMPAIGN, ["eve"])
    return store


async def _open_all_stages(pilot: Pilot) -> PipelineScreen:
    screen = pilot.app.screen
    assert isinstance(screen, PipelineScreen)
    await until(pilot, lambda: screen.campaign_name == CAMPAIGN and bool(screen.rows))
    screen.query_one("#stage-filter", Select).value = "all"
    await until(pilot, lambda: screen.view is not None and screen.view.stages == stages.STAGES)
    await settled(pilot.app)  # the page of all stages, not the first one, is the one shown
    await until(pilot, lambda: {r.handle for r in screen.rows} == {*APPLICANTS, "eve"})
    screen.query_one(DataTable).focus()
    return screen


async def _select(pilot: Pilot, screen: PipelineScreen, *handles: str) -> None:
    """The cursor on (the last of) these handles; several are tagged."""
    await settled(pilot.app)
    screen.tagged.clear()
    table = screen.query_one(DataTable)
    for row in screen.rows:
        if row.handle in handles and len(handles) > 1:
            screen.tagged[row.application_id] = row.handle

    def on_it() -> bool:
        index = next(n for n, row in enumerate(screen.rows) if row.handle == handles[-1])
        if table.cursor_row != index:
            table.move_cursor(row=index)  # again if a page load put the cursor back
        return table.cursor_row == index

    await until(pilot, on_it)


async def _confirm(pilot: Pilot, key: str, *expected: str) -> str:
    """Press `key`, check the question says each of `expected`, and say yes."""
    app = pilot.app
    await pilot.press(key)
    await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
    question = str(app.screen.query_one(".question", Static).render())
    for words in expected:
        assert words in question, question
    await pilot.press("y")
    await until(pilot, lambda: isinstance(app.screen, PipelineScreen))
    await settled(app)
    return question


async def _wait_for_stage(pilot: Pilot, store: Store, stage: str, *handles: str) -> None:
    await until(pilot, lambda: all(stage_of(store, CAMPAIGN, h) == stage for h in handles))
    screen = pilot.app.screen
    await until(pilot, lambda: all(r.stage == stage for r in screen.rows if r.handle in handles))


def _notes(app: CallsheetApp) -> list[str]:
    return [n.message for n in app._notifications]


def _delivered(store: Store, sink: Sink) -> dict[str, set[str]]:
    """The recipients of each kind of message the SMTP server accepted, by the store's Message-IDs."""
    kinds = dict(store.writer.execute("SELECT message_id, kind FROM messages WHERE direction = 'out'"))
    delivered: dict[str, set[str]] = {}
    for item in sink.received:
        delivered.setdefault(kinds[item.message_id], set()).update(a.split("@")[0] for a in item.rcpt_tos)
    return delivered


async def test_an_agreement_campaign_runs_to_the_collaboration_in_the_app(tmp_path: Path) -> None:
    store = _deal(tmp_path / "deal.db")
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _open_all_stages(pilot)

        # An accept before any signature says what the campaign needs, and asks nothing.
        await _select(pilot, screen, "ana")
        await pilot.press("a")
        await until(pilot, lambda: bool(_notes(app)))
        assert not isinstance(app.screen, ConfirmScreen)
        assert _notes(app)[-1].startswith(f"{CAMPAIGN!r} needs a signed agreement before anyone is "
                                          "accepted: send it with A")
        assert "requires a signed agreement first, so send the agreement" in _notes(app)[-1]
        assert stage_of(store, CAMPAIGN, "ana") == "to review"

        await pilot.press("s")  # shortlisting asks nothing
        await _wait_for_stage(pilot, store, "shortlisted", "ana")

        await _select(pilot, screen, "ana", "bob", "cleo")
        await _confirm(pilot, "A", f"Send the agreement to 3 applications in {CAMPAIGN!r}?",
                       "3 emails from the 'agreement' template will be sent",
                       f"signed by {DEADLINE}")
        await _wait_for_stage(pilot, store, "agreement sent", "ana", "bob", "cleo")

        await _select(pilot, screen, "bob")
        await pilot.press("enter")
        panel = screen.query_one(ProfilePanel)
        await until(pilot, lambda: "@bob" in str(panel.render()))
        assert f"agreement sent, sign by {DEADLINE}" in str(panel.render())
        await pilot.press("enter")

        await _select(pilot, screen, "ana", "bob")
        await _confirm(pilot, "S", f"Record the signature of 2 applications in {CAMPAIGN!r}?",
                       f"Agreement deadlines:\n  {DEADLINE}: @", "@ana", "@bob", "No email is sent")
        await _wait_for_stage(pilot, store, "signed", "ana", "bob")

        await _select(pilot, screen, "cleo")
        await _confirm(pilot, "R", f"Record that @cleo in {CAMPAIGN!r} refused the agreement?",
                       f"{DEADLINE}: @cleo")
        await _wait_for_stage(pilot, store, "refused", "cleo")

        await _select(pilot, screen, "ana")
        await _confirm(pilot, "a", f"Accept @ana in {CAMPAIGN!r}?")
        await _wait_for_stage(pilot, store, "in campaign", "ana")

        store.clock.advance(timedelta(seconds=31))  # the app's undo window of the accept has passed
        await _confirm(pilot, "C", f"Start the collaboration of {CAMPAIGN!r}?",
                       "In campaign, with the congratulations email: 2",
                       "Rejected, with the bummer email: 1")
        await _wait_for_stage(pilot, store, "in campaign", "bob")
        counters = screen.query_one(CountersBar)
        await until(pilot, lambda: "collaboration started 2026-11-23" in str(counters.render()))

        await pilot.press("C")  # it runs once
        await until(pilot, lambda: "it runs only once" in _notes(app)[-1])
        assert not isinstance(app.screen, ConfirmScreen)


    assert {h: stage_of(store, CAMPAIGN, h) for h in (*APPLICANTS, "eve")} == {
        "ana": "in campaign", "bob": "in campaign", "cleo": "refused", "dan": "rejected", "eve": "invited"}
    moves = store.writer.execute(
        "SELECT actor, json_extract(detail, '$.handle'), json_extract(detail, '$.via') FROM audit_events "
        "WHERE action = 'application.stage' AND json_extract(detail, '$.via') NOT IN ('apply', 'invite') "
        "ORDER BY id").fetchall()
    assert sorted(moves) == sorted((OPERATOR, h, via) for h, via in [
        ("ana", "shortlist"),
        ("ana", "send-agreement"), ("bob", "send-agreement"), ("cleo", "send-agreement"),
        ("ana", "signed"), ("bob", "signed"), ("cleo", "refused"), ("ana", "accept"),
        ("ana", "collaborate-in"), ("bob", "collaborate-in"), ("dan", "collaborate-out")])
    started = store.writer.execute(
        "SELECT actor, detail FROM audit_events WHERE action = 'campaign.collaborate'")
    assert [(actor, detail) for actor, detail in started] == [(OPERATOR, '{"joined": 2, "turned_down": 1}')]

    with ThreadedSink() as sink:
        sent = await asyncio.to_thread(outbox.send_due, store, make_config(sink.port), until_empty=True)
    assert sent.sentence.startswith("Sent 12, deferred 0, failed 0")  # with 4 acknowledgements, 1 invitation
    assert _delivered(store, sink) == {
        "acknowledgement": set(APPLICANTS), "invitation": {"eve"}, "agreement": {"ana", "bob", "cleo"},
        "accepted": {"ana"}, "congratulations": {"ana", "bob"}, "bummer": {"dan"}}
    store.close()


async def test_a_passed_deadline_cannot_be_signed(tmp_path: Path) -> None:
    store = _deal(tmp_path / "deal.db")
    pipeline.decide(store, CAMPAIGN, ["ana"], "send-agreement")
    store.clock.advance(timedelta(days=3))  # the deadline, before the daemon records the expiry
    before = table_counts(store)
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _open_all_stages(pilot)
        await _select(pilot, screen, "ana")
        await pilot.press("enter")
        panel = screen.query_one(ProfilePanel)
        await until(pilot, lambda: f"sign by {DEADLINE} (passed)" in str(panel.render()))
        await pilot.press("S")
        await until(pilot, lambda: bool(_notes(app)))
        assert not isinstance(app.screen, ConfirmScreen)
        assert _notes(app) == ["Cannot record the signature of @ana: the application is at stage 'expired', "
                               "whose deadline passed: send a new agreement first."]
        await settled(app)
    assert table_counts(store) == before
    store.close()


@pytest.mark.parametrize("role", ["viewer", "moderator"])
async def test_a_role_that_may_not_move_hears_one_sentence_and_nothing_changes(tmp_path: Path,
                                                                                role: str) -> None:
    manager = _deal(path := tmp_path / "deal.db")
    with manager.write() as db:
        operators.add(db, "mo", role, None, "Mo", manager.now_iso())
    before = table_counts(manager)
    store = Store(path, manager.clock, actor="mo")
    app = make_app(store)
    refusal = f"mo is a {role} and may not move applications."
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _open_all_stages(pilot)
        await _select(pilot, screen, "ana")
        for key in ("A", "C"):
            await pilot.press(key)
            await until(pilot, lambda key=key: len(_notes(app)) == ("A", "C").index(key) + 1)
            assert not isinstance(app.screen, ConfirmScreen)
        await settled(app)
        assert _notes(app) == [refusal, refusal]
    assert table_counts(manager) == before
    store.close()
    manager.close()


async def test_the_palette_and_help_list_the_agreement_keys(tmp_path: Path) -> None:
    app = make_app(_deal(tmp_path / "deal.db"))
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_all_stages(pilot)
        titles = {command.title: command.help for command in app.get_system_commands(app.screen)}
        rows = app.binding_rows(app.screen)
        for key, title in (("A", "Send agreement"), ("S", "Signed"), ("R", "Refused"),
                           ("C", "Start collaboration")):
            assert titles[title] == f"key: {key}"
            assert (key, title, "Pipeline") in rows
    app.store.close()


def test_the_command_line_says_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = _deal(path := tmp_path / "deal.db", actor="tester")  # the CLI acts as CALLSHEET_USER
    assert_user_error(run(path, "decide", CAMPAIGN, "ana", "accept", "--yes"),
                      "Cannot accept @ana: the application is at stage 'to review'; this campaign requires a "
                      "signed agreement first, so send the agreement, then record the signature.")
    pipeline.decide(store, CAMPAIGN, ["ana"], "send-agreement")
    monkeypatch.setenv("CALLSHEET_NOW", "2026-11-26T10:00:00+00:00")  # the deadline
    assert_user_error(run(path, "decide", CAMPAIGN, "ana", "signed", "--yes"),
                      "Cannot record the signature of @ana: the application is at stage 'expired', "
                      "whose deadline passed: send a new agreement first.")
    again = run(path, "decide", CAMPAIGN, "ana", "send-agreement", "--yes")
    assert again.exit_code == 0, again.output
    assert store.writer.execute("SELECT stage, agreement_deadline FROM applications a JOIN influencers i "
                                "ON i.id = a.influencer_id WHERE i.handle = 'ana'").fetchone() == (
        "agreement sent", "2026-11-29T10:00:00+00:00")
    store.close()
