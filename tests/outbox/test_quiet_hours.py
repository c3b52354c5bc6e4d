"""Quiet hours hold every proactive message, whoever queued it, until they end."""

from __future__ import annotations

import asyncio
from datetime import datetime

from bot.app import App
from bot.channels.base import SendResult, SendStatus
from bot.core.clock import FixedClock
from bot.core.i18n import LOCAL_TZ
from bot.core.reply import Reply
from bot.services import outbox
from bot.services.sender import Sender
from tests.driver import ChatDriver


class Recording:
    """A channel that only remembers what it was asked to send."""

    name = "console"
    text_limit = 4096

    def __init__(self) -> None:
        self.sent: list[str] = []

    async def deliver(self, chat_id: str, reply: Reply) -> SendResult:
        self.sent.append(reply.text)
        return SendResult(SendStatus.SENT)


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LOCAL_TZ)


async def _eventually(check, seconds: float = 10.0) -> bool:  # type: ignore[no-untyped-def]
    for _ in range(int(seconds / 0.05)):
        if check():
            return True
        await asyncio.sleep(0.05)
    return check()


async def test_a_notice_queued_at_night_waits_for_the_morning(app: App, clock: FixedClock) -> None:
    actor = await ChatDriver(app, "fisher").actor()
    clock.set(local("2026-12-01 22:30"))
    async with app.db.write() as tx:
        await outbox.enqueue(
            tx,
            user_id=actor.user_id,
            key="night-notice",
            text="Buổi thu nhận bị hoãn",
            now=clock.now(),
        )
    channel = Recording()
    sender = Sender(app.db, clock, app.settings, [channel], idle_poll_s=0.05)
    await sender.start()
    try:
        assert not await _eventually(lambda: channel.sent, seconds=1.0)
        clock.set(local("2026-12-02 05:01"))
        sender.wake()
        assert await _eventually(lambda: channel.sent)
    finally:
        await sender.stop()
    assert channel.sent == ["Buổi thu nhận bị hoãn"]
