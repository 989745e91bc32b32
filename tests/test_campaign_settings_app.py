"""The Pipeline's `e`: a campaign's settings, edited by a manager through `campaigns.edit`, read by anyone."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input, Label, Select, Static, Switch, TextArea

from store import campaigns
from store.db import Store
from tests.app_helpers import demo_store
from tests.pilot_helpers import settled, until
from tui.action_worker import ActionFinished
from tui.app import make_app
from tui.screens.campaign_form import changed_settings, prefilled
from tui.screens.campaign_settings import CampaignSettings
from tui.screens.pipeline import PipelineScreen
from tui.widgets.confirm import ConfirmScreen

NAME = "Winter Capsule 25"


def _row(store: Store) -> tuple:
    return store.writer.execute("SELECT * FROM campaigns WHERE name = ?", [NAME]).fetchone()


def _finished(messages: list) -> list[ActionFinished]:
    """The settings actions that ran (a bubbling message is seen once per node it reaches)."""
    finished = {id(m): m for m in messages if isinstance(m, ActionFinished) and m.key == "settings"}
    return list(finished.values())


def _notices(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [n.message for n in app._notifications]


async def _open_settings(pilot: Pilot) -> CampaignSettings:
    app = pilot.app
    await until(pilot, lambda: isinstance(app.screen, PipelineScreen) and bool(app.screen.rows))
    pipeline = app.screen
    if pipeline.campaign_name != NAME:  # a closed campaign is listed after the open ones
        [wanted] = [key for key, name in pipeline.campaign_names.items() if name == NAME]
        pipeline.query_one("#campaign", Select).value = wanted
        await until(pilot, lambda: pipeline.campaign_name == NAME and bool(pipeline.rows))
    await pilot.press("e")
    await until(pilot, lambda: isinstance(app.screen, CampaignSettings))
    assert isinstance(app.screen, CampaignSettings)
    return app.screen


async def _save(pilot: Pilot, messages: list) -> ActionFinished:
    await pilot.press("ctrl+s")
    await until(pilot, lambda: bool(_finished(messages)) and bool(_notices(pilot.app)))
    await settled(pilot.app)
    [finished] = _finished(messages)
    return finished


async def test_a_manager_changes_the_cap_and_a_window(tmp_path: Path) -> None:
    store = demo_store(tmp_path / "demo.db")
    app, messages = make_app(store), []
    async with app.run_test(size=(80, 24), message_hook=messages.append) as pilot:
        screen = await _open_settings(pilot)
        assert screen.query_one("#setting-daily_cap", Input).value == "30"
        assert not screen.query("#settings-refusal")
        screen.query_one("#setting-daily_cap", Input).value = "20"
        screen.query_one("#setting-windows", TextArea).text = "mon-fri 10:00-17:00\nsat 10:00-12:00"
        finished = await _save(pilot, messages)
        assert isinstance(app.screen, PipelineScreen)
        assert finished.outcome is not None
        assert finished.outcome.sentence.startswith(f"Edited {NAME}: --window, --daily-cap")
        assert _notices(app) == [finished.outcome.sentence]
    campaign = campaigns.get(store.reader(), NAME)
    assert campaign.daily_cap == 20
    assert [str(w) for w in campaign.windows] == ["mon-fri 10:00-17:00", "sat 10:00-12:00"]
    store.close()


async def test_a_negative_cap_is_the_actions_sentence_and_changes_nothing(tmp_path: Path) -> None:
    store = demo_store(tmp_path / "demo.db")
    before = _row(store)
    app, messages = make_app(store), []
    async with app.run_test(size=(80, 24), message_hook=messages.append) as pilot:
        screen = await _open_settings(pilot)
        screen.query_one("#setting-daily_cap", Input).value = "-1"
        finished = await _save(pilot, messages)
        assert finished.outcome is None
        assert _notices(app) == ["--daily-cap cannot be negative (got -1)."]
    assert _row(store) == before
    store.close()


async def test_a_bad_window_is_the_actions_sentence_and_changes_nothing(tmp_path: Path) -> None:
    store = demo_store(tmp_path / "demo.db")
    before = _row(store)
    app, messages = make_app(store), []
    async with app.run_test(size=(80, 24), message_hook=messages.append) as pilot:
        screen = await _open_settings(pilot)
        screen.query_one("#setting-windows", TextArea).text = "mon-fri 18:00-09:00"
        await _save(pilot, messages)
        [notice] = _notices(app)
        assert notice.startswith("The window 'mon-fri 18:00-09:00' ends before it starts")
    assert _row(store) == before
    store.close()


async def test_not_a_number_is_said_in_the_screen_and_nothing_runs(tmp_path: Path) -> None:
    store = demo_store(tmp_path / "demo.db")
    app, messages = make_app(store), []
    async with app.run_test(size=(80, 24), message_hook=messages.append) as pilot:
        screen = await _open_settings(pilot)
        screen.query_one("#setting-invite_limit", Input).value = "lots"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: bool(_notices(app)))
        assert _notices(app) == ["Nothing saved: invite limit 'lots' is not a whole number."]
        assert app.screen is screen
        assert not bool(_finished(messages))


async def test_saving_nothing_changed_calls_no_action(tmp_path: Path) -> None:
    store = demo_store(tmp_path / "demo.db")
    app, messages = make_app(store), []
    async with app.run_test(size=(80, 24), message_hook=messages.append) as pilot:
        await _open_settings(pilot)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, PipelineScreen) and bool(_notices(app)))
        await settled(app)
        assert _notices(app) == [f"No setting of {NAME} was changed; nothing saved."]
        assert not bool(_finished(messages))
    assert store.writer.execute("SELECT count(*) FROM audit_events WHERE action = 'campaign.edit'"
                                ).fetchone()[0] == 0
    store.close()


async def test_a_viewer_sees_every_setting_and_cannot_save(tmp_path: Path) -> None:
    seeded = demo_store(tmp_path / "demo.db")
    before = _row(seeded)
    viewer = Store(seeded.path, seeded.clock, actor="visitor")
    app, messages = make_app(viewer), []
    try:
        async with app.run_test(size=(80, 24), message_hook=messages.append) as pilot:
            screen = await _open_settings(pilot)
            why = "visitor is a viewer: only managers change campaign settings."
            assert str(screen.query_one("#settings-refusal", Label).render()) == why
            cap = screen.query_one("#setting-daily_cap", Input)
            assert cap.disabled and cap.value == "30"
            assert screen.query_one("#setting-moderation", Switch).disabled
            assert screen.query_one("#setting-segment", Input).value == "tag:fashion country:FR"
            cap.value = "5"  # even if a value were set, the action refuses before anything runs
            await pilot.press("ctrl+s")
            await until(pilot, lambda: len(_finished(messages)) == 1 and bool(_notices(app)))
            screen = await _open_settings(pilot)
            await pilot.press("ctrl+l")
            await until(pilot, lambda: len(_finished(messages)) == 2 and len(_notices(app)) == 2)
            await settled(app)
            refused = [n for n in _notices(app) if "may not" in n and "visitor" in n]
            assert len(refused) == 2, _notices(app)
            assert isinstance(app.screen, PipelineScreen)
        assert _row(seeded) == before
        refusals = seeded.writer.execute(
            "SELECT actor, json_extract(detail, '$.permission') FROM audit_events WHERE action = 'refused'"
        ).fetchall()
        assert [tuple(r) for r in refusals] == [("visitor", "manage_campaign")] * 2
    finally:
        viewer.close()
        seeded.close()


async def test_close_from_the_screen_is_confirmed_then_closes(tmp_path: Path) -> None:
    store = demo_store(tmp_path / "demo.db")
    app, messages = make_app(store), []
    async with app.run_test(size=(80, 24), message_hook=messages.append) as pilot:
        await _open_settings(pilot)
        await pilot.press("ctrl+l")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        question = str(app.screen.query_one(".question", Static).render())
        assert f"Close {NAME!r} now?" in question
        await pilot.press("y")
        await until(pilot, lambda: bool(_finished(messages)) and bool(_notices(app)))
        await settled(app)
        assert _notices(app)[-1].startswith(f"{NAME} is closed: it takes no new candidates")
    assert campaigns.get(store.reader(), NAME).status == "closed"
    store.close()


async def test_pause_then_reopen_a_closed_campaign_from_the_screen(tmp_path: Path) -> None:
    store = demo_store(tmp_path / "demo.db")
    app, messages = make_app(store), []
    async with app.run_test(size=(80, 24), message_hook=messages.append) as pilot:
        await _open_settings(pilot)
        await pilot.press("ctrl+t")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await until(pilot, lambda: len(_finished(messages)) == 1)
        await settled(app)
        assert campaigns.get(store.reader(), NAME).status == "paused"
    with store.write() as db:
        db.conn.execute("UPDATE campaigns SET status = 'closed' WHERE name = ?", [NAME])
    app, messages = make_app(store), []
    async with app.run_test(size=(80, 24), message_hook=messages.append) as pilot:
        await _open_settings(pilot)
        await pilot.press("ctrl+o")
        await until(pilot, lambda: bool(app.screen.query("#closing-time")))
        app.screen.query_one("#closing-time", Input).value = "2027-01-31 18:00"
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert f"Reopen {NAME!r} until 2027-01-31 18:00 (Europe/Paris)?" in \
            str(app.screen.query_one(".question", Static).render())
        await pilot.press("y")
        await until(pilot, lambda: bool(_finished(messages)) and bool(_notices(app)))
        await settled(app)
        assert _notices(app)[-1].startswith(f"{NAME} is open again until 2027-01-31 18:00")
    assert campaigns.get(store.reader(), NAME).status == "open"
    store.close()


def test_the_form_gives_only_what_changed_as_edit_values(tmp_path: Path) -> None:
    store = demo_store(tmp_path / "demo.db")
    campaign = campaigns.get(store.reader(), NAME)
    before = prefilled(campaign)
    after = before | {"budget": " ", "languages": "fr, en, de", "moderation": False,
                      "closes": "2027-02-01 12:00", "name": NAME + " "}
    assert changed_settings(before, after) == {"budget": None, "languages": ["fr", "en", "de"],
                                               "moderation": False, "closes": "2027-02-01 12:00"}
    assert changed_settings(before, dict(before)) == {}
    store.close()


async def test_the_palette_and_help_list_the_settings_key(tmp_path: Path) -> None:
    store = demo_store(tmp_path / "demo.db")
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, PipelineScreen) and bool(app.screen.rows))
        titles = {command.title: command.help for command in app.get_system_commands(app.screen)}
        assert titles["Campaign settings"] == "key: e"
        assert ("e", "Campaign settings", "Pipeline") in app.binding_rows(app.screen)
    store.close()


async def test_an_unset_opening_says_not_set_rather_than_looking_like_a_value(tmp_path: Path) -> None:
    seeded = demo_store(tmp_path / "demo.db")
    app = make_app(seeded)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await _open_settings(pilot)
            opens = screen.query_one("#setting-opens", Input)
            assert opens.value == "" and opens.placeholder.startswith("not set (YYYY-MM-DD HH:MM in ")
            await pilot.press("escape")
    finally:
        seeded.close()
