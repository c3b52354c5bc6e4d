"""Typing people for the journeys: the console and the Zalo fake, words only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from bot.app import App
from tests.driver import ChatDriver
from tests.journeys.drivers import zalo_chat


@dataclass
class Console:
    """The console channel's code path, read as text."""

    driver: ChatDriver
    channel: str = "console"

    @property
    def app(self) -> App:
        return self.driver.app

    @property
    def external_id(self) -> str:
        return self.driver.user_id

    async def say(self, text: str) -> str:
        assert not text.strip().isdigit(), "typed words only"
        replies = await self.driver.say(text)
        return "\n".join([r.text for r in replies] + [c.label for r in replies for c in r.choices])


@dataclass
class Zalo:
    """A Zalo user on the fake Zalo API: the numbered lists arrive as text."""

    chat: object
    channel: str = "zalo"

    @property
    def app(self) -> App:
        return self.chat.app  # type: ignore[attr-defined]

    @property
    def external_id(self) -> str:
        return self.chat.external_id  # type: ignore[attr-defined]

    async def say(self, text: str) -> str:
        assert not text.strip().isdigit(), "typed words only"
        return "\n".join(await self.chat.say(text))  # type: ignore[attr-defined]


Typist = Console | Zalo


@pytest.fixture(params=["console", "zalo"])
async def person(request: pytest.FixtureRequest, demo_app: App) -> AsyncIterator[Typist]:
    if request.param == "console":
        yield Console(ChatDriver(demo_app, "typist", "console"))
        return
    async with zalo_chat(demo_app) as chat:
        yield Zalo(chat)
