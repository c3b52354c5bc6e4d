"""Two sender workers on one database both send, and keep every chat's pacing between them."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App
from bot.channels.base import SendResult, SendStatus
from bot.channels.telegram import TelegramChannel
from bot.config import Settings
from bot.core.reply import Reply
from bot.services.sender import Sender
from bot.storage.tables.delivery import outbox_leases
from bot.testing.telegram_api import FakeTelegram
from tests.outbox.conftest import enqueue, outbox_rows, telegram_user


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
