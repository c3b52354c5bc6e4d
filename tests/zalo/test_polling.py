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


async def test_a_fetched_update_the_database_refused_is_stored_later_not_lost(
    polling: ZaloChannel, server: FakeZaloServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """getUpdates has no offset: an update fetched is not sent again, so it waits to be stored."""
    store = polling.inbox.receive
    refusals = 0

    async def busy_then_fine(updates):  # type: ignore[no-untyped-def]
        nonlocal refusals
        if refusals < 2:
            refusals += 1
            raise OSError("database is locked")
        return await store(updates)

    monkeypatch.setattr(polling.inbox, "receive", busy_then_fine)
    await server.say("u5", "/help")
    texts = await _texts(server, "u5", 1)
    assert refusals == 2
    assert texts and "/menu" in texts[0]


async def test_stopping_while_a_fetched_update_is_stored_keeps_it(
    app: App, server: FakeZaloServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = ZaloApi(server.token, server.url, backoff_s=0.01, timeout_s=2.0)
    channel = ZaloChannel(app.dispatcher.handle, api, db=app.db)
    storing, go_on = asyncio.Event(), asyncio.Event()
    store = channel.inbox.receive

    async def slow(updates):  # type: ignore[no-untyped-def]
        storing.set()
        await go_on.wait()
        return await store(updates)

    monkeypatch.setattr(channel.inbox, "receive", slow)
    await channel.start()
    await server.say("u6", "/help")
    await asyncio.wait_for(storing.wait(), 10)
    stopping = asyncio.create_task(channel.stop())
    await asyncio.sleep(0.05)
    go_on.set()
    await asyncio.wait_for(stopping, 20)
    restarted = ZaloChannel(
        app.dispatcher.handle, ZaloApi(server.token, server.url, timeout_s=2.0), db=app.db
    )
    await restarted.start()  # the stored update is handled on restart
    try:
        assert "/menu" in (await _texts(server, "u6", 1))[0]
    finally:
        await restarted.stop()
