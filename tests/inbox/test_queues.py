"""The inbox's queues: chats served in turn, order kept per chat, the flood limit."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from bot.app import App
from bot.core.flood import FloodLimit, Verdict
from bot.core.inbound import Inbound
from bot.core.inbox import Inbox, Unreadable
from bot.core.reply import Reply
from bot.storage import inbox as store
from bot.storage.inbox import Received
from bot.storage.tables.inbox import inbox


class Recorder:
    """A channel that reads `{"chat": .., "n": ..}` payloads and records what it shows."""

    name = "test"

    def __init__(self) -> None:
        self.shown: list[tuple[str, str]] = []

    async def read(self, payload: Any) -> Inbound | Reply | None:
        if payload.get("broken"):
            raise Unreadable("broken")
        return Inbound(
            channel="test",
            chat_id=payload["chat"],
            user_id=payload["chat"],
            text=str(payload["n"]),
        )

    async def show(
        self, chat_id: str, replies: Sequence[Reply], inbound: Inbound | None = None
    ) -> None:
        self.shown += [(chat_id, reply.text) for reply in replies]

    def working(self, chat_id: str) -> contextlib.AbstractAsyncContextManager[None]:
        return contextlib.nullcontext()


def update(chat: str, n: int, **more: Any) -> Received:
    import json

    return Received(f"{chat}-{n}", chat, chat, json.dumps({"chat": chat, "n": n, **more}))


async def echo(inbound: Inbound) -> list[Reply]:
    return [Reply(inbound.text)]


async def test_a_backlog_in_one_chat_does_not_hold_the_others(app: App) -> None:
    reader = Recorder()
    inbox = Inbox(app.db, app.clock, echo, reader, slots=1)
    await inbox.receive([update("flood", n) for n in range(10)])
    await inbox.receive([update("other", 0), update("third", 0)])
    await inbox.start()
    await inbox.wait_idle(10)
    await inbox.stop()
    order = [chat for chat, _ in reader.shown]
    assert order[:3] == ["flood", "other", "third"]  # each chat had its turn
    flood = [text for chat, text in reader.shown if chat == "flood"]
    assert flood == [str(n) for n in range(10)]  # in order within the chat


async def test_a_replay_is_stored_once_and_answered_once(app: App) -> None:
    reader = Recorder()
    inbox = Inbox(app.db, app.clock, echo, reader, slots=2)
    await inbox.start()
    assert await inbox.receive([update("a", 1)]) == 1
    assert await inbox.receive([update("a", 1), update("a", 1)]) == 0
    await inbox.wait_idle(10)
    await inbox.stop()
    assert reader.shown == [("a", "1")]
    async with app.db.read() as tx:
        assert await store.count_by_status(tx) == {"done": 1}


async def test_an_unreadable_update_is_kept_with_its_error_and_skipped(app: App) -> None:
    reader = Recorder()
    inbox = Inbox(app.db, app.clock, echo, reader, slots=1)
    await inbox.start()
    await inbox.receive([update("a", 1, broken=True), update("a", 2)])
    await inbox.wait_idle(10)
    await inbox.stop()
    assert reader.shown == [("a", "2")]
    async with app.db.read() as tx:
        assert await store.count_by_status(tx) == {"bad": 1, "done": 1}


async def test_done_marks_finish_the_batch_and_leave_bad_rows_bad(app: App) -> None:
    now = app.clock.now()
    async with app.db.write() as tx:
        rows = await store.insert_received(tx, "test", [update("a", n) for n in range(4)], now)
        first, second, broken, left = (row.id for row in rows)
        await store.mark_handled(tx, second, [Reply("đã nhận")], now)
        await store.mark_bad(tx, broken, "ValueError", now)
    async with app.db.write() as tx:
        await store.mark_done(tx, [first, second, broken])
    async with app.db.read() as tx:
        assert await store.count_by_status(tx) == {"done": 2, "bad": 1, "new": 1}
        assert [row.id for row in await store.unfinished(tx, "test")] == [left]
        replies = await tx.scalar(select(inbox.c.replies).where(inbox.c.id == second))
    assert replies is None  # sent: not kept


def test_the_flood_limit_answers_once_then_drops_until_the_window_clears() -> None:
    limit = FloodLimit(3, 10.0)
    verdicts = [limit.check("u", t) for t in (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)]
    assert verdicts == [Verdict.HANDLE] * 3 + [Verdict.NOTICE] + [Verdict.DROP] * 2
    assert limit.check("someone else", 0.6) is Verdict.HANDLE
    assert limit.check("u", 10.05) is Verdict.HANDLE  # the first one left the window
    assert limit.check("u", 10.06) is Verdict.NOTICE  # full again: a new burst, told again
    assert limit.check("u", 10.07) is Verdict.DROP
