"""Fixtures: an app on the real clock, Telegram users, the channel and a sender on the fake API."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import select

from bot.app import App, build_app
from bot.channels.telegram import TelegramChannel
from bot.config import Settings
from bot.core.clock import SystemClock
from bot.core.inbound import Inbound
from bot.core.reply import Choice
from bot.services import identity, outbox
from bot.services.sender import Sender
from bot.storage.tables.core import outbox as outbox_table
from bot.testing.telegram_api import FakeTelegram
from tests.driver import ALWAYS_AWAKE


@pytest.fixture
async def live_app(settings: Settings) -> AsyncIterator[App]:
    """Retries fall due in real time, so this app runs on the system clock."""
    app = await build_app(settings, SystemClock())
    yield app
    await app.close()


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as api:
        yield api


@pytest.fixture
def outbox_settings(settings: Settings, fake_api: FakeTelegram) -> Settings:
    return settings.model_copy(
        update={
            "telegram_token": fake_api.token,
            "telegram_api_url": fake_api.url,
            "outbox_rate_per_s": 50.0,
            "outbox_per_chat_interval_s": 0.3,
            **ALWAYS_AWAKE,  # the real clock runs here: the tests must pass at any hour
        }
    )


@pytest.fixture
async def channel(live_app: App, outbox_settings: Settings) -> AsyncIterator[TelegramChannel]:
    channel = TelegramChannel(live_app.dispatcher, outbox_settings, poll_timeout_s=1)
    await channel.start()
    yield channel
    await channel.stop()


SenderFactory = Callable[..., Awaitable[Sender]]


@pytest.fixture
async def make_sender(
    live_app: App, outbox_settings: Settings, channel: TelegramChannel
) -> AsyncIterator[SenderFactory]:
    """Start a sender (settings overrides as keywords); every one is stopped at the end."""
    started: list[Sender] = []

    async def make(**overrides: Any) -> Sender:
        knobs = {k: overrides.pop(k) for k in ("backoff_base_s", "idle_poll_s") if k in overrides}
        sender = Sender(
            live_app.db,
            live_app.clock,
            outbox_settings.model_copy(update=overrides),
            [channel],
            **knobs,
        )
        live_app.dispatcher.add_on_commit(sender.wake)
        await sender.start()
        started.append(sender)
        return sender

    yield make
    for sender in reversed(started):
        await sender.stop()


async def telegram_user(app: App, chat_id: int) -> int:
    """A user who started the bot on Telegram; returns their user id."""
    inbound = Inbound(channel="telegram", chat_id=str(chat_id), user_id=str(chat_id))
    async with app.db.write() as tx:
        return (await identity.resolve(tx, inbound, app.clock.now())).user_id


async def enqueue(
    app: App, user_id: int, key: str, text: str, choices: list[Choice] | None = None
) -> bool:
    async with app.db.write() as tx:
        return await outbox.enqueue(
            tx, user_id=user_id, key=key, text=text, now=app.clock.now(), choices=choices or []
        )


async def outbox_rows(app: App) -> dict[str, dict[str, Any]]:
    """Every outbox row by key."""
    async with app.db.read() as tx:
        rows = await tx.execute(select(outbox_table))
        return {row.key: dict(row._mapping) for row in rows}
