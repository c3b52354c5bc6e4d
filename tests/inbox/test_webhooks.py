"""Webhooks: the secret before the body, a size cap, stored before 200, replays once."""

from __future__ import annotations

import gc
import io
from collections.abc import AsyncIterator

import aiohttp
import psutil

from bot.app import App
from bot.channels.telegram import SECRET_HEADER, TelegramChannel
from bot.config import Settings
from bot.storage import inbox as store
from bot.testing import telegram_updates as tg
from bot.testing.telegram_api import FakeTelegram
from bot.testing.zalo_api import SECRET_HEADER as ZALO_SECRET_HEADER
from tests.telegram.conftest import telegram_settings
from tests.telegram.test_webhook import free_port
from tests.zalo.harness import SECRET, ZaloHarness

MB = 1024 * 1024


async def _chunks(total_mb: int) -> AsyncIterator[bytes]:
    block = b"x" * MB
    for _ in range(total_mb):
        yield block


async def test_telegram_webhook_checks_the_secret_first_and_caps_the_body(
    app: App, settings: Settings
) -> None:
    port = free_port()
    hook = f"http://127.0.0.1:{port}/tg-hook"
    async with FakeTelegram() as api:
        channel = TelegramChannel(
            app.dispatcher,
            telegram_settings(
                settings, api, webhook_url=hook, webhook_port=port, webhook_secret="s" * 40
            ),
        )
        await channel.start()
        try:
            gc.collect()
            before = psutil.Process().memory_info().rss
            async with aiohttp.ClientSession() as session:
                statuses = []
                for _ in range(4):  # 4 × 48 MB without the secret
                    try:
                        async with session.post(hook, data=_chunks(48)) as response:
                            statuses.append(response.status)
                    except aiohttp.ClientError:
                        statuses.append(0)  # the server may close before we finish sending
                async with session.post(
                    hook,
                    data=io.BytesIO(b"{" + b" " * (2 * MB) + b"}"),
                    headers={SECRET_HEADER: "s" * 40},
                ) as response:
                    too_big = response.status
            grown_mb = (psutil.Process().memory_info().rss - before) / MB

            update = {"update_id": 5001, **tg.command(41, "help")}
            async with aiohttp.ClientSession() as session:
                for _ in range(2):  # Telegram sends the same update again
                    async with session.post(
                        hook, json=update, headers={SECRET_HEADER: "s" * 40}
                    ) as response:
                        assert response.status == 200
            await api.wait_for(lambda: len(api.sent_to(41)) == 1)
            await channel.inbox.wait_idle(10)
        finally:
            await channel.stop()
        assert all(status in (0, 403) for status in statuses)
        assert too_big == 413
        assert grown_mb < 40, f"RSS grew {grown_mb:.0f} MB"
        assert len(api.sent_to(41)) == 1
        async with app.db.read() as tx:
            assert await store.count_by_status(tx, "telegram") == {"done": 1}


async def test_the_same_zalo_body_three_times_is_answered_once(zalo: ZaloHarness) -> None:
    body = {"ok": True, "result": zalo.server.update("z-51", "/help")}
    async with aiohttp.ClientSession() as session:
        for _ in range(3):
            async with session.post(
                zalo.webhook_url, json=body, headers={ZALO_SECRET_HEADER: SECRET}
            ) as response:
                assert response.status == 200
    await zalo.channel.drain()
    assert len(zalo.server.texts_to("z-51")) == 1


async def test_a_zalo_body_over_the_cap_is_refused(zalo: ZaloHarness) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            zalo.webhook_url,
            data=b"[" + b" " * 300_000 + b"]",
            headers={ZALO_SECRET_HEADER: SECRET},
        ) as response,
    ):
        assert response.status == 413
