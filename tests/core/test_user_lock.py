"""One user's messages are handled one at a time, even where transactions may overlap."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core.context import Context
from bot.core.router import Router
from bot.storage.db import Database
from tests.driver import ChatDriver


class OverlappingWrites:
    """The app's database without its SQLite writer queue: write transactions may overlap,
    as they do on PostgreSQL."""

    def __init__(self, db: Database) -> None:
        self._db = db

    @contextlib.asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncConnection]:
        async with self._db.read() as conn:
            yield conn

    def __getattr__(self, name: str) -> object:
        return getattr(self._db, name)


async def test_two_messages_of_one_user_never_run_at_once(chat: ChatDriver) -> None:
    flow = Router("slow")
    inside: list[str] = []
    overlaps: list[tuple[str, ...]] = []
    entered = asyncio.Event()

    @flow.command("slow")
    async def slow(ctx: Context) -> None:
        inside.append(ctx.text)
        if len(inside) > 1:
            overlaps.append(tuple(inside))
            entered.set()
        elif ctx.text == "/slow 1":
            # Give the second message every chance to come in (it cannot, under the lock).
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(entered.wait(), 1.0)
        inside.remove(ctx.text)
        ctx.reply("done " + ctx.text)

    await chat.say("/start")  # the user exists before the race
    dispatcher = type(chat.app.dispatcher)(
        [flow],
        OverlappingWrites(chat.app.db),  # type: ignore[arg-type]
        chat.app.clock,
        chat.app.settings,
        identities=chat.app.dispatcher.identities,
    )
    chat.app.dispatcher = dispatcher
    other = ChatDriver(chat.app, "u2")
    await other.say("/slow warm-up")

    first, second = await asyncio.gather(chat.say("/slow 1"), chat.say("/slow 2"))
    assert overlaps == []
    assert [r.text for r in first + second] == ["done /slow 1", "done /slow 2"]

    # Another user's message is not held up behind them.
    _, elsewhere = await asyncio.gather(chat.say("/slow 1"), other.say("/slow 3"))
    assert overlaps == [("/slow 1", "/slow 3")]
    assert [r.text for r in elsewhere] == ["done /slow 3"]
