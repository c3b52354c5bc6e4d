"""After a crash only rows whose request may have reached the platform are sent again.

A row is committed `inflight` before its request goes out; rows claimed but never tried stay
`sending` (put back untouched after a crash), and a 429 (known not to have arrived) puts its
row back to `sending` while it waits.
"""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from bot.app import App
from bot.channels.base import SendResult, SendStatus
from bot.core.reply import Reply
from bot.services import outbox
from bot.services.sender import Sender
from bot.storage.tables.core import outbox as outbox_table
from tests.driver import ChatDriver


class Probe:
    """A console channel that reads the row's stored status while its request is out."""

    name = "console"
    text_limit = 4096

    def __init__(self, app: App, answers: list[SendResult]) -> None:
        self.app = app
        self.answers = answers
        self.seen: list[str] = []

    async def deliver(self, chat_id: str, reply: Reply) -> SendResult:
        async with self.app.db.read() as tx:
            self.seen.append(
                await tx.scalar(
                    select(outbox_table.c.status).where(outbox_table.c.text == reply.text)
                )
            )
        return self.answers.pop(0) if self.answers else SendResult(SendStatus.SENT)


async def _queue(app: App, text: str) -> None:
    actor = await ChatDriver(app, "fisher").actor()
    async with app.db.write() as tx:
        await outbox.enqueue(tx, user_id=actor.user_id, key=text, text=text, now=app.clock.now())


async def _status(app: App) -> str:
    async with app.db.read() as tx:
        return await tx.scalar(select(outbox_table.c.status))


async def test_a_row_is_committed_in_flight_before_its_request(app: App) -> None:
    await _queue(app, "Lịch làm căn cước")
    channel = Probe(app, [])
    sender = Sender(app.db, app.clock, app.settings, [channel], idle_poll_s=0.05)
    await sender.start()
    try:
        await sender.wait_idle(within_s=20)
    finally:
        await sender.stop()
    assert channel.seen == ["inflight"]
    assert await _status(app) == "sent"


async def test_a_refused_row_waits_as_never_tried(app: App) -> None:
    await _queue(app, "Nhắc lịch")
    refused = asyncio.Event()

    class Refusing(Probe):
        async def deliver(self, chat_id: str, reply: Reply) -> SendResult:
            result = await super().deliver(chat_id, reply)
            refused.set()
            return result

    channel = Refusing(app, [SendResult(SendStatus.RETRY, retry_after=30)])
    sender = Sender(app.db, app.clock, app.settings, [channel], idle_poll_s=0.05)
    await sender.start()
    try:
        await asyncio.wait_for(refused.wait(), 20)
        for _ in range(200):  # the 429's outcome is written by the marker
            if await _status(app) == "sending":
                break
            await asyncio.sleep(0.02)
        assert await _status(app) == "sending"  # a crash now would not count it as unknown
    finally:
        await sender.stop()
    assert await _status(app) == "pending"  # released at stop, as it was
