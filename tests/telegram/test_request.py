"""PTB on aiohttp (bot/channels/telegram_request.py): JSON and files reach the API, failures
become PTB's errors without the token, and replies go out as the Bot API's own JSON."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from telegram.error import NetworkError, TimedOut
from telegram.ext import ExtBot

from bot.channels.telegram_render import render
from bot.channels.telegram_request import AiohttpRequest
from bot.core.reply import Attachment, Choice, Reply
from bot.testing.telegram_api import FakeTelegram


def _choice(label: str, key: str) -> Choice:
    return Choice(label, action="pick", key=key)


@pytest.fixture
async def aio_bot(fake_api: FakeTelegram) -> AsyncIterator[ExtBot[None]]:
    bot = ExtBot(fake_api.token, base_url=fake_api.base_url, request=AiohttpRequest(4))
    async with bot:
        yield bot


async def test_text_and_keyboard_arrive_as_json_objects(
    aio_bot: ExtBot[None], fake_api: FakeTelegram
) -> None:
    reply = Reply(
        "Chọn điểm thu nhận", (_choice("Nhà văn hoá thôn 1", "k1"), _choice("UBND", "k2"))
    )
    await render(aio_bot, 77, reply)
    (call,) = fake_api.calls("sendMessage")
    assert call.params["text"] == "Chọn điểm thu nhận"
    assert call.params["reply_markup"] == {
        "inline_keyboard": [
            [{"text": "Nhà văn hoá thôn 1", "callback_data": "k1"}],
            [{"text": "UBND", "callback_data": "k2"}],
        ]
    }


async def test_a_document_goes_as_a_multipart_upload_with_its_buttons(
    aio_bot: ExtBot[None], fake_api: FakeTelegram
) -> None:
    data = b"PK\x03\x04 not really a workbook"
    reply = Reply("", (_choice("Xuất lại", "again"),), document=Attachment("thieu.xlsx", data))
    await render(aio_bot, 77, reply)
    (call,) = fake_api.calls("sendDocument")
    assert call.files["document"] == ("thieu.xlsx", data)
    assert call.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "again"
    assert fake_api.calls("sendMessage") == []


async def test_a_refused_connection_is_a_network_error_without_the_token() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    token = "123456:SECRET-token"
    bot = ExtBot(token, base_url=f"http://127.0.0.1:{port}/bot", request=AiohttpRequest(2))
    async with bot._request[1]:  # initialize without get_me (nothing answers)
        with pytest.raises(NetworkError) as raised:
            await bot.send_message(1, "xin chào")
    assert not isinstance(raised.value, TimedOut)
    assert "SECRET" not in str(raised.value)


async def test_a_server_that_does_not_answer_is_timed_out() -> None:
    async def silent(request: web.Request) -> web.Response:
        await asyncio.sleep(5)
        return web.json_response({"ok": True, "result": True})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", silent)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    bot = ExtBot("1:x", base_url=f"http://127.0.0.1:{port}/bot", request=AiohttpRequest(2))
    try:
        async with bot._request[1]:
            with pytest.raises(TimedOut):
                await bot.send_message(1, "xin chào", read_timeout=0.2)
    finally:
        await runner.cleanup()


async def test_a_request_before_initialize_is_refused() -> None:
    request = AiohttpRequest()
    with pytest.raises(RuntimeError):
        await request.do_request("http://127.0.0.1:9/botx/getMe", "POST")
