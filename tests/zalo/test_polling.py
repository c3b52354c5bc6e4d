"""Long polling: getUpdates answered in order, idle polls and server errors do not stop it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from bot.app import App
from bot.channels.zalo import ZaloApi, ZaloApiError, ZaloChannel
from bot.testing.zalo_api import FakeZaloServer


@pytest.fixture
async def server() -> AsyncIterator[FakeZaloServer]:
    async with FakeZaloServer(poll_wait_s=0.2) as fake:
        yield fake


@pytest.fixture
async def polling(app: App, server: FakeZaloServer) -> AsyncIterator[ZaloChannel]:
    api = ZaloApi(server.token, server.url, backoff_s=0.01, timeout_s=2.0)
    channel = ZaloChannel(app.dispatcher.handle, api, db=app.db)
    await channel.start()
    yield channel
    await channel.stop()


async def _texts(server: FakeZaloServer, chat_id: str, count: int) -> list[str]:
    """The first `count` texts sent to the chat, waiting for them (a deadline, not a timing)."""
    for _ in range(500):
        if len(server.texts_to(chat_id)) >= count:
            break
        await asyncio.sleep(0.02)
    return server.texts_to(chat_id)


async def test_polling_answers_in_order(polling: ZaloChannel, server: FakeZaloServer) -> None:
    assert server.calls_of("deleteWebhook") == [{}]  # getUpdates needs no webhook
    await server.say("u1", "/start")
    await server.say("u1", "/lang")
    await server.say("u1", "2")
    texts = await _texts(server, "u1", 3)
    assert texts[0].startswith("Xin chào")
    assert texts[1].startswith("Chọn ngôn ngữ")
    assert texts[2].startswith("Language set: English.")
    assert all(p["timeout"] == "30" for p in server.calls_of("getUpdates"))


async def test_polling_goes_on_after_server_errors(
    polling: ZaloChannel, server: FakeZaloServer
) -> None:
    server.fail_next("getUpdates", status=502, count=2)
    await server.say("u2", "/help")
    texts = await _texts(server, "u2", 1)
    assert "/menu" in texts[0]
    assert len(server.calls_of("!getUpdates")) == 2


async def test_a_wrong_token_stops_at_start(app: App, server: FakeZaloServer) -> None:
    api = ZaloApi("1:wrong", server.url, backoff_s=0.01)
    channel = ZaloChannel(app.dispatcher.handle, api, db=app.db)
    with pytest.raises(ZaloApiError) as refused:
        await channel.start()
    assert refused.value.code == 401
    assert "wrong" not in str(refused.value)  # the token never shows in errors
    await api.aclose()
