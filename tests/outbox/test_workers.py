"""Two sender workers on one database both send, and keep every chat's pacing between them."""

from __future__ import annotations

import asyncio
import os
import socket

from sqlalchemy import select, update

from bot.app import App
from bot.channels.base import SendResult, SendStatus
from bot.channels.telegram import TelegramChannel
from bot.config import Settings
from bot.core.reply import Reply
from bot.services.sender import Sender
from bot.storage.tables.core import outbox as outbox_table
from bot.storage.tables.delivery import outbox_leases
from bot.testing.telegram_api import FakeTelegram
from tests.outbox.conftest import SenderFactory, enqueue, outbox_rows, telegram_user


class Counting:
    """The Telegram channel, counting what went through this worker."""

    def __init__(self, inner: TelegramChannel) -> None:
        self.inner = inner
        self.name = inner.name
        self.text_limit = inner.text_limit
        self.sent = 0

    async def deliver(self, chat_id: str, reply: Reply) -> SendResult:
        result = await self.inner.deliver(chat_id, reply)
        self.sent += result.status is SendStatus.SENT
        return result


async def test_two_workers_share_the_outbox_and_each_chats_pacing(
    live_app: App, fake_api: FakeTelegram, outbox_settings: Settings, channel: TelegramChannel
) -> None:
    fake_api.per_chat_interval_s = 0.3  # a second message to a chat sooner gets a 429
    settings = outbox_settings.model_copy(  # a margin over the fake's: no flake under load
        update={"outbox_per_chat_interval_s": 0.6}
    )
    channels = [Counting(channel), Counting(channel)]
    senders = [
        Sender(live_app.db, live_app.clock, settings, [c], idle_poll_s=0.2) for c in channels
    ]
    for sender in senders:
        live_app.dispatcher.add_on_commit(sender.wake)
        await sender.start()
    try:
        for sender in senders:
            await sender.wait_idle()
        users = [await telegram_user(live_app, 700 + n) for n in range(40)]
        for n, user in enumerate(users):
            for k in range(5):
                await enqueue(live_app, user, f"w:{n}:{k}", f"Tin {k} cho {n}")
        for sender in senders:
            await sender.wait_idle(within_s=60)
        rates = {sender.lanes["telegram"].rate for sender in senders}
        async with live_app.db.read() as tx:
            workers = len((await tx.execute(select(outbox_leases.c.name))).all())
    finally:
        for sender in senders:
            await sender.stop()

    statuses = [c.status for c in fake_api.calls("sendMessage")]
    assert 429 not in statuses  # no chat got two messages within its interval
    assert all(fake_api.delivered[700 + n] == 5 for n in range(40))
    assert not fake_api.duplicates()
    rows = await outbox_rows(live_app)
    assert {r["status"] for r in rows.values()} == {"sent"}
    assert all(c.sent > 0 for c in channels)  # both workers sent, neither stood by
    assert sum(c.sent for c in channels) == 200
    assert workers == 2
    assert rates == {settings.outbox_rate_per_s / 2}  # the rate split between them


async def test_a_worker_joining_leaves_a_live_workers_claims_alone(
    live_app: App, fake_api: FakeTelegram, make_sender: SenderFactory
) -> None:
    held, free = await telegram_user(live_app, 760), await telegram_user(live_app, 761)
    await enqueue(live_app, held, "h:1", "Giữ bởi worker khác")
    await enqueue(live_app, held, "h:2", "Cùng chat, chờ worker đó")
    await enqueue(live_app, free, "f:1", "Tự do")
    alive = f"{socket.gethostname()}:{os.getpid()}:other"  # this process: alive
    async with live_app.db.write() as tx:
        await tx.execute(
            update(outbox_table)
            .where(outbox_table.c.key == "h:1")
            .values(status="inflight", attempts=1, claimed_by=alive)
        )
        await tx.execute(
            outbox_leases.insert().values(
                name="sender:other", owner=alive, heartbeat_at=live_app.clock.now()
            )
        )
    await make_sender()
    await fake_api.wait_sent(1)
    await asyncio.sleep(0.5)  # time for a wrong claim of the held chat to show

    rows = await outbox_rows(live_app)
    assert rows["h:1"]["status"] == "inflight" and rows["h:1"]["claimed_by"] == alive
    assert rows["h:2"]["status"] == "pending"  # its chat is the other worker's
    assert rows["f:1"]["status"] == "sent"
    assert dict(fake_api.delivered) == {761: 1}
