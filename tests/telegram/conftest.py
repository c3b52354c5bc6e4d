"""Fixtures: the fake Bot API on 127.0.0.1, a PTB Bot pointed at it, and the running channel."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from sqlalchemy import select
from telegram import Bot

from bot.app import App
from bot.channels.telegram import TelegramChannel
from bot.config import Settings
from bot.storage.tables.core import chat_identities, conversations, users
from bot.testing import telegram_updates as tg
from bot.testing.telegram_api import FakeTelegram, Sent
from tests.driver import ALWAYS_AWAKE


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as api:
        yield api


@pytest.fixture
async def bot(fake_api: FakeTelegram) -> AsyncIterator[Bot]:
    async with Bot(
        fake_api.token, base_url=fake_api.base_url, base_file_url=fake_api.base_file_url
    ) as bot:
        yield bot


def telegram_settings(settings: Settings, api: FakeTelegram, **more: object) -> Settings:
    return settings.model_copy(
        update={
            "telegram_token": api.token,
            "telegram_api_url": api.url,
            **ALWAYS_AWAKE,  # these run on the real clock: they must pass at any hour
            **more,
        }
    )


@dataclass
class TelegramChat:
    """One Telegram user talking to the running bot through the fake API."""

    api: FakeTelegram
    app: App
    user_id: int = 4242

    async def send(self, update: dict[str, object], replies: int = 1) -> list[Sent]:
        """Push an update and wait for `replies` more messages to this chat."""
        before = len(self.api.sent_to(self.user_id))
        self.api.push(update)
        await self.api.wait_for(lambda: len(self.api.sent_to(self.user_id)) >= before + replies)
        return self.api.sent_to(self.user_id)[before:]

    async def say(self, text: str) -> Sent:
        return (await self.send(tg.message(self.user_id, text)))[-1]

    async def press(self, data: str) -> Sent:
        """Press a button of a message the bot sent (a new message is the answer)."""
        carrier = self.api.carrier(self.user_id, data)
        return (await self.send(tg.callback_query(self.user_id, data, message_id=carrier)))[-1]

    async def row(self) -> dict[str, object]:
        """This user's stored identity, user and conversation, as one dict."""
        async with self.app.db.read() as tx:
            found = (
                await tx.execute(
                    select(
                        users.c.id.label("user_id"),
                        users.c.person_id,
                        conversations.c.state,
                        conversations.c.data,
                        chat_identities.c.unreachable_at,
                    )
                    .select_from(chat_identities)
                    .join(users, users.c.id == chat_identities.c.user_id)
                    .outerjoin(conversations, conversations.c.identity_id == chat_identities.c.id)
                    .where(
                        chat_identities.c.channel == "telegram",
                        chat_identities.c.external_id == str(self.user_id),
                    )
                )
            ).first()
        return dict(found._mapping) if found else {}


@pytest.fixture
async def telegram(
    demo_app: App, settings: Settings, fake_api: FakeTelegram
) -> AsyncIterator[TelegramChannel]:
    """The real PTB Application, polling the fake API, on the demo database."""
    channel = TelegramChannel(
        demo_app.dispatcher, telegram_settings(settings, fake_api), poll_timeout_s=1
    )
    await channel.start()
    yield channel
    await channel.stop()


@pytest.fixture
def tchat(telegram: TelegramChannel, fake_api: FakeTelegram, demo_app: App) -> TelegramChat:
    return TelegramChat(fake_api, demo_app)
