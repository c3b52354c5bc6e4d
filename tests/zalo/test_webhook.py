"""The webhook refuses calls without the right secret; with it, the message is answered."""

from __future__ import annotations

import aiohttp
import pytest

from bot.storage.identities import count_users
from bot.testing.zalo_api import SECRET_HEADER
from tests.zalo.harness import SECRET, ZaloHarness, ZaloUser, fixture


async def _users(zalo: ZaloHarness) -> int:
    async with zalo.app.db.read() as tx:
        return await count_users(tx)


@pytest.mark.parametrize(
    "headers",
    [{}, {SECRET_HEADER: ""}, {SECRET_HEADER: "wrong-secret-123"}, {SECRET_HEADER: SECRET + "x"}],
    ids=["missing", "empty", "wrong", "longer"],
)
async def test_webhook_without_the_secret_is_refused(zalo: ZaloHarness, headers: dict) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.post(zalo.webhook_url, json=fixture("webhook_body"), headers=headers) as response,
    ):
        assert response.status == 403
    await zalo.channel.drain()
    assert await _users(zalo) == 0  # nothing reached the core
    assert zalo.server.calls_of("sendMessage") == []
    assert zalo.server.calls_of("sendChatAction") == []


async def test_webhook_with_the_secret_is_answered(zalo: ZaloHarness) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            zalo.webhook_url, json=fixture("webhook_body"), headers={SECRET_HEADER: SECRET}
        ) as response,
    ):
        assert response.status == 200
        assert (await response.json())["ok"] is True
    await zalo.channel.drain()
    assert await _users(zalo) == 1
    chat = fixture("webhook_body")["result"]["message"]["chat"]["id"]
    assert zalo.server.texts_to(chat)  # the bot answered on Zalo
    assert {"chat_id": chat, "action": "typing"} in zalo.server.calls_of("sendChatAction")


async def test_webhook_with_a_broken_body_is_refused(zalo: ZaloHarness) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            zalo.webhook_url, data=b"{not json", headers={SECRET_HEADER: SECRET}
        ) as response,
    ):
        assert response.status == 400
    assert await _users(zalo) == 0


async def test_set_webhook_registers_url_and_secret(zalo: ZaloHarness) -> None:
    assert zalo.server.calls_of("setWebhook") == [
        {"url": zalo.webhook_url, "secret_token": SECRET}
    ]


async def test_fake_zalo_posts_to_the_webhook_with_the_secret(
    zalo: ZaloHarness, zalo_user: ZaloUser
) -> None:
    await zalo_user.say("/start")
    assert zalo.server.webhook_statuses == [200]
    assert "Trợ lý 06" in zalo_user.text
