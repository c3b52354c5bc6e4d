"""Telegram updates through the inbox: replays, unreadable updates, leftovers, floods."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator

import pytest

from bot.app import App
from bot.channels.telegram import TelegramChannel
from bot.config import Settings
from bot.storage import inbox as store
from bot.storage.inbox import Received
from bot.testing import telegram_updates as tg
from bot.testing.telegram_api import FakeTelegram
from tests.telegram.conftest import telegram_settings


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as api:
        yield api


def channel_for(
    app: App, settings: Settings, api: FakeTelegram, **more: object
) -> TelegramChannel:
    return TelegramChannel(
        app.dispatcher, telegram_settings(settings, api, **more), poll_timeout_s=1
    )


async def statuses(app: App) -> dict[str, int]:
    async with app.db.read() as tx:
        return await store.count_by_status(tx, "telegram")


async def test_the_same_update_id_twice_is_answered_once(
    app: App, settings: Settings, fake_api: FakeTelegram
) -> None:
    channel = channel_for(app, settings, fake_api)
    await channel.start()
    try:
        first = fake_api.push(tg.command(31, "help"))
        await fake_api.wait_for(lambda: len(fake_api.sent_to(31)) == 1)
        fake_api.push(tg.command(31, "help"), update_id=first)  # Telegram sends it again
        fake_api.push(tg.command(32, "help"))
        await fake_api.wait_for(lambda: len(fake_api.sent_to(32)) == 1)
        await channel.inbox.wait_idle(10)
    finally:
        await channel.stop()
    assert len(fake_api.sent_to(31)) == 1
    assert await statuses(app) == {"done": 2}


async def test_an_unreadable_update_is_kept_skipped_and_the_next_user_answered(
    app: App, settings: Settings, fake_api: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    channel = channel_for(app, settings, fake_api)
    broken = {"message": {"message_id": 1, "date": 1, "chat": {"id": 33}, "from": tg.user(33)}}
    with caplog.at_level(logging.INFO):
        await channel.start()
        try:
            fake_api.push(broken)  # a chat without its `type`: PTB cannot build it
            fake_api.push(tg.command(34, "help"))
            await fake_api.wait_for(lambda: len(fake_api.sent_to(34)) == 1)
            await channel.inbox.wait_idle(10)
        finally:
            await channel.stop()
    assert await statuses(app) == {"bad": 1, "done": 1}
    async with app.db.read() as tx:
        from sqlalchemy import select

        from bot.storage.tables.inbox import inbox

        row = (await tx.execute(select(inbox).where(inbox.c.status == "bad"))).one()
    assert json.loads(row.payload)["message"]["chat"] == {"id": 33}  # kept raw
    assert "TypeError" in row.error
    unreadable = [r for r in caplog.records if "unreadable" in r.getMessage()]
    assert len(unreadable) == 1  # logged once
    assert len(caplog.text) < 20_000  # the log stays small
    assert fake_api.method_counts["getUpdates"] < 50  # confirmed, not asked for again and again
    assert fake_api.pending_updates == 0


async def test_what_a_crash_left_is_handled_and_answered_on_start(
    app: App, settings: Settings, fake_api: FakeTelegram
) -> None:
    from bot.core.reply import Reply

    unhandled = {"update_id": 901, **tg.command(35, "help")}
    answered = {"update_id": 902, **tg.command(36, "help")}
    async with app.db.write() as tx:
        rows = await store.insert_received(
            tx,
            "telegram",
            [
                Received("901", "35", "35", json.dumps(unhandled)),
                Received("902", "36", "36", json.dumps(answered)),
            ],
            app.clock.now(),
        )
        await store.mark_handled(tx, rows[1].id, [Reply("kept reply")], app.clock.now())
    channel = channel_for(app, settings, fake_api)
    await channel.start()
    try:
        await fake_api.wait_for(lambda: fake_api.sent_to(35) and fake_api.sent_to(36))
        await channel.inbox.wait_idle(10)
    finally:
        await channel.stop()
    assert "/menu" in fake_api.sent_to(35)[0].text
    assert [s.text for s in fake_api.sent_to(36)] == ["kept reply"]  # sent, not handled again
    assert await statuses(app) == {"done": 2}


async def test_a_flooding_user_is_told_once_and_the_others_are_answered(
    app: App, settings: Settings, fake_api: FakeTelegram
) -> None:
    channel = channel_for(app, settings, fake_api, flood_messages=5, flood_window_s=600)
    for n in range(12):
        fake_api.push(tg.message(37, f"/help {n}"))
    fake_api.push(tg.command(38, "help"))
    await channel.start()
    try:
        await fake_api.wait_for(lambda: len(fake_api.sent_to(38)) == 1)
        await channel.inbox.wait_idle(10)
    finally:
        await channel.stop()
    texts = [s.text for s in fake_api.sent_to(37)]
    assert len(texts) == 6  # five answers and one notice
    assert texts.count("Bạn gửi nhanh quá, đợi chút nhé.") == 1
    assert await statuses(app) == {"done": 7, "dropped": 6}


async def test_a_resumed_answer_to_a_press_still_edits_and_notices(
    app: App, settings: Settings, fake_api: FakeTelegram
) -> None:
    """A crash after the press was handled, before its answer went: the answer edits the
    pressed message and the notice goes with the press's answer, as without the crash."""
    from bot.core.reply import Choice, Reply

    fake_api.messages[("37", 5)] = {"text": "page 1", "reply_markup": None}
    press = {"update_id": 903, **tg.callback_query(37, "k1", message_id=5, text="page 1")}
    replies = [
        Reply("This button has expired.", notice=True),
        Reply("page 2", choices=(Choice("Next", "page", "3", key="k2"),), edit=True),
    ]
    async with app.db.write() as tx:
        rows = await store.insert_received(
            tx, "telegram", [Received("903", "37", "37", json.dumps(press))], app.clock.now()
        )
        await store.mark_handled(tx, rows[0].id, replies, app.clock.now())
    channel = channel_for(app, settings, fake_api)
    await channel.start()
    try:
        await fake_api.wait_for(lambda: bool(fake_api.shown_to(37)))
        await channel.inbox.wait_idle(10)
    finally:
        await channel.stop()
    assert fake_api.sent_to(37) == []  # nothing sent anew
    assert [e.text for e in fake_api.edits_to(37)] == ["page 2"]  # the pressed one, edited
    answered = fake_api.calls("answerCallbackQuery")[0].params
    assert answered.get("text") == "This button has expired."
    assert await statuses(app) == {"done": 1}
