"""`troly06 run` on Zalo: polling by default, the webhook when its URL is set, public media."""

from __future__ import annotations

import asyncio

import aiohttp

from bot.app import App
from bot.core.reply import Attachment
from bot.testing.zalo_api import SECRET_HEADER, FakeZaloServer
from bot.web import ZaloStack
from tests.zalo.harness import fixture


def _settings(app: App, zalo: FakeZaloServer, **more: object):  # type: ignore[no-untyped-def]
    return app.settings.model_copy(
        update={"zalo_token": zalo.token, "zalo_api_url": zalo.url, "web_port": 0, **more}
    )


async def test_nothing_runs_without_a_token(app: App) -> None:
    stack = ZaloStack(app.settings, app.clock, app.dispatcher.handle, app.db)
    assert stack.channel is None and stack.web is None


async def test_polling_by_default(app: App) -> None:
    async with FakeZaloServer(poll_wait_s=0.2) as zalo:
        stack = ZaloStack(_settings(app, zalo), app.clock, app.dispatcher.handle, app.db)
        assert stack.web is None  # no webhook and no public address: no web server
        await stack.start()
        try:
            await zalo.say("u1", "/start")
            for _ in range(500):
                if zalo.texts_to("u1"):
                    break
                await asyncio.sleep(0.02)
            assert zalo.texts_to("u1")[0].startswith("Xin chào")
        finally:
            await stack.stop()


async def test_webhook_mode_registers_and_checks_a_secret(app: App) -> None:
    async with FakeZaloServer() as zalo:
        settings = _settings(app, zalo, zalo_webhook_url="https://bot.example.vn/zalo/hook-7f3a")
        stack = ZaloStack(settings, app.clock, app.dispatcher.handle, app.db)
        await stack.start()
        try:
            registered = zalo.calls_of("setWebhook")[0]
            assert registered["url"] == "https://bot.example.vn/zalo/hook-7f3a"
            secret = registered["secret_token"]
            assert len(secret) >= 32  # none configured: a random one
            assert stack.web is not None
            local = stack.web.url + "/zalo/hook-7f3a"
            async with aiohttp.ClientSession() as session:
                for headers, status in (({}, 403), ({SECRET_HEADER: secret}, 200)):
                    async with session.post(
                        local, json=fixture("webhook_body"), headers=headers
                    ) as response:
                        assert response.status == status
            assert stack.channel is not None
            await stack.channel.drain()
            assert zalo.calls_of("sendMessage")
            assert zalo.calls_of("getUpdates") == []
        finally:
            await stack.stop()


async def test_public_url_serves_media(app: App) -> None:
    async with FakeZaloServer() as zalo:
        settings = _settings(app, zalo, public_url="https://bot.example.vn/")
        stack = ZaloStack(settings, app.clock, app.dispatcher.handle, app.db)
        assert stack.channel is not None and stack.channel.media is not None
        assert stack.web is not None
        url = stack.channel.media.publish(Attachment("a.png", b"png", "image/png"))
        assert url.startswith("https://bot.example.vn/media/")
        await stack.start()
        try:
            local = stack.web.url + url.removeprefix("https://bot.example.vn")
            async with aiohttp.ClientSession() as session, session.get(local) as response:
                assert (response.status, await response.read()) == (200, b"png")
        finally:
            await stack.stop()
