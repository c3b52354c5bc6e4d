"""One person talking to the running bot on Telegram or Zalo, through each platform's fake.

Both drivers answer the same three calls, so one journey script runs on either:
`say(text)` and `pick(label)` return the texts the person received, and `options()` lists
what they can pick (Telegram's buttons, Zalo's numbered list).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.app import App
from bot.channels.base import split_text
from bot.channels.telegram import TEXT_LIMIT as TELEGRAM_LIMIT
from bot.channels.telegram import TelegramChannel
from bot.core.dispatcher import Dispatcher
from bot.core.inbound import Inbound
from bot.core.reply import Reply
from bot.services import identity
from bot.services.identity import Actor, Role
from bot.testing import telegram_updates as tg
from bot.testing.telegram_api import FakeTelegram, Sent
from tests.zalo.harness import ZaloUser, zalo_harness

WAIT_ROUNDS = 1000  # × 10 ms: a deadline for the fake to see the replies, not a timing


class JourneyChat(Protocol):
    channel: str
    external_id: str
    app: App

    async def say(self, text: str) -> list[str]: ...

    async def pick(self, label: str) -> list[str]: ...

    async def pick_nth(self, number: int) -> list[str]: ...

    def options(self) -> list[str]: ...


class RecordingDispatcher:
    """The app's dispatcher, counting the updates it has answered and what it answered."""

    def __init__(self, inner: Dispatcher) -> None:
        self.inner = inner
        self.answered: list[list[Reply]] = []

    def commands(self) -> list[Any]:
        return self.inner.commands()

    @property
    def db(self) -> Any:
        return self.inner.db

    @property
    def clock(self) -> Any:
        return self.inner.clock

    async def handle(self, inbound: Inbound) -> list[Reply]:
        replies = await self.inner.handle(inbound)
        self.answered.append(replies)
        return replies


def telegram_messages(reply: Reply) -> int:
    """How many Telegram messages the channel sends for one reply."""
    pieces = len(split_text(reply.text, TELEGRAM_LIMIT)) if reply.text.strip() else 0
    return pieces + (reply.photo is not None) + (reply.document is not None)


@dataclass
class TelegramJourneyChat:
    app: App
    api: FakeTelegram
    dispatcher: RecordingDispatcher
    user_id: int = 7001
    channel: str = "telegram"
    last: list[Sent] = field(default_factory=list)

    @property
    def external_id(self) -> str:
        return str(self.user_id)

    def _shown(self) -> list[Sent]:
        """What the user saw: new messages and in-place edits of text (buttons too)."""
        return [s for s in self.api.shown_to(self.user_id) if s.method != "editMessageReplyMarkup"]

    async def _send(self, update: dict[str, Any]) -> list[str]:
        answered, before = len(self.dispatcher.answered), len(self._shown())
        self.api.push(update)
        for _ in range(WAIT_ROUNDS):
            if len(self.dispatcher.answered) > answered:
                break
            await asyncio.sleep(0.01)
        expected = sum(
            telegram_messages(r) for r in self.dispatcher.answered[answered] if not r.notice
        )
        await self.api.wait_for(lambda: len(self._shown()) >= before + expected)
        self.last = self._shown()[before:]
        return [sent.text for sent in self.last if sent.text]

    def _press(self, data: str) -> dict[str, Any]:
        carrier = self.api.carrier(self.user_id, data)
        return tg.callback_query(self.user_id, data, message_id=carrier)

    async def say(self, text: str) -> list[str]:
        return await self._send(tg.message(self.user_id, text))

    async def pick(self, label: str) -> list[str]:
        for text, data in self._buttons():
            if label.lower() in text.lower():
                return await self._send(self._press(data))
        raise AssertionError(f"no button {label!r} in {self.options()}")

    async def pick_nth(self, number: int) -> list[str]:
        """Press the `number`-th button (from 1) of the last message that had buttons."""
        return await self._send(self._press(self._buttons()[number - 1][1]))

    def options(self) -> list[str]:
        return [text for text, _ in self._buttons()]

    def _buttons(self) -> list[tuple[str, str]]:
        for sent in reversed(self.last):
            markup = sent.params.get("reply_markup") or {}
            if isinstance(markup, dict) and markup.get("inline_keyboard"):
                return [
                    (b["text"], b["callback_data"])
                    for row in markup["inline_keyboard"]
                    for b in row
                ]
        return []


@dataclass
class ZaloJourneyChat:
    app: App
    user: ZaloUser
    channel: str = "zalo"

    @property
    def external_id(self) -> str:
        return self.user.user_id

    async def say(self, text: str) -> list[str]:
        return await self.user.say(text)

    async def pick(self, label: str) -> list[str]:
        return await self.user.pick(label)

    async def pick_nth(self, number: int) -> list[str]:
        """Type the number, as a Zalo user answers a numbered list."""
        assert 1 <= number <= len(self.options()), self.options()
        return await self.user.say(str(number))

    def options(self) -> list[str]:
        return self.user.options()


@contextlib.asynccontextmanager
async def telegram_chat(app: App) -> AsyncIterator[TelegramJourneyChat]:
    """The real PTB channel polling the fake Telegram API."""
    async with FakeTelegram() as api:
        dispatcher = RecordingDispatcher(app.dispatcher)
        settings = app.settings.model_copy(
            update={"telegram_token": api.token, "telegram_api_url": api.url}
        )
        channel = TelegramChannel(dispatcher, settings, poll_timeout_s=1)  # type: ignore[arg-type]
        await channel.start()
        try:
            yield TelegramJourneyChat(app, api, dispatcher)
        finally:
            await channel.stop()


@contextlib.asynccontextmanager
async def zalo_chat(app: App) -> AsyncIterator[ZaloJourneyChat]:
    """The Zalo channel on its webhook, fed by the fake Zalo API."""
    async with zalo_harness(app) as harness:
        yield ZaloJourneyChat(app, ZaloUser(harness, "zalo-7001"))


async def actor_of(chat: JourneyChat) -> Actor:
    """The user behind a journey chat (created if new)."""
    inbound = Inbound(channel=chat.channel, chat_id=chat.external_id, user_id=chat.external_id)
    async with chat.app.db.write() as tx:
        return await identity.resolve(tx, inbound, chat.app.clock.now())


async def grant(chat: JourneyChat, role: Role, **scope: int) -> None:
    actor = await actor_of(chat)
    async with chat.app.db.write() as tx:
        await identity.grant(tx, actor.user_id, role, chat.app.clock.now(), **scope)
