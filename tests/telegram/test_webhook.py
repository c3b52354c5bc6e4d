"""Webhook mode: Telegram posts updates to us, with the secret token we gave it."""

from __future__ import annotations

import socket

import httpx

from bot.app import App
from bot.channels.telegram import TelegramChannel
from bot.config import Settings
from bot.testing import telegram_updates as tg
from bot.testing.telegram_api import FakeTelegram
from tests.telegram.conftest import telegram_settings


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_webhook_with_secret_token(
    app: App, settings: Settings, fake_api: FakeTelegram
) -> None:
    port = free_port()
    hook = f"http://127.0.0.1:{port}/telegram-hook"
    channel = TelegramChannel(
        app.dispatcher,
        telegram_settings(settings, fake_api, webhook_url=hook, webhook_port=port),
    )
    await channel.start()
    try:
        fake_api.push(tg.command(61, "start"))
        await fake_api.wait_for(lambda: len(fake_api.sent_to(61)) == 1)
        async with httpx.AsyncClient() as client:
            forged = await client.post(hook, json={"update_id": 999, **tg.command(62, "start")})
    finally:
        await channel.stop()

    registered = fake_api.calls("setWebhook")[0].params
    assert registered["url"] == hook and len(registered["secret_token"]) >= 32
    assert "Xin chào" in fake_api.sent_to(61)[0].text
    assert forged.status_code == 403 and fake_api.sent_to(62) == []
    assert fake_api.method_counts["getUpdates"] == 0
