"""The sender paces a channel as a whole: many chats at once still leave at the channel's rate."""

from __future__ import annotations

from bot.app import App
from bot.testing.telegram_api import FakeTelegram
from tests.outbox.conftest import SenderFactory, enqueue, telegram_user


async def test_one_message_to_each_of_many_chats_keeps_the_channel_rate(
    live_app: App, fake_api: FakeTelegram, make_sender: SenderFactory
) -> None:
    # The server allows 40 a second and a burst of only 4; the per-chat limit never applies
    # here (one message a chat), so only the sender's channel-wide bucket keeps within it.
    fake_api.rate_per_s = 40
    fake_api.burst_s = 0.1
    users = [await telegram_user(live_app, 900 + n) for n in range(30)]
    for n, user in enumerate(users):
        await enqueue(live_app, user, f"p:{n}", f"Thông báo {n}")

    sender = await make_sender(outbox_rate_per_s=25)
    await sender.wait_idle(within_s=30)

    statuses = [c.status for c in fake_api.calls("sendMessage")]
    assert 429 not in statuses
    assert statuses.count(200) == 30 and not fake_api.duplicates()
