"""The fake Bot API answers PTB as Telegram would, including its 429s and 403s."""

from __future__ import annotations

import pytest
from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import Forbidden, RetryAfter

from bot.testing import telegram_updates as tg
from bot.testing.telegram_api import FakeTelegram


async def test_send_and_record(fake_api: FakeTelegram, bot: Bot) -> None:
    me = await bot.get_me()
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Một", callback_data="k1")]])
    message = await bot.send_message(42, "Xin chào", reply_markup=markup)

    assert me.username == "troly06_bot"
    assert message.chat.id == 42 and message.text == "Xin chào"
    call = fake_api.calls("sendMessage")[0]
    assert call.params["chat_id"] == 42
    assert call.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "k1"
    assert fake_api.delivered[42] == 1


async def test_long_poll_returns_pushed_updates(fake_api: FakeTelegram, bot: Bot) -> None:
    first = fake_api.push(tg.command(7, "start"))
    second = fake_api.push(tg.callback_query(7, "abc"))

    updates = await bot.get_updates(timeout=1)
    confirmed = await bot.get_updates(offset=second + 1, timeout=0)

    assert [u.update_id for u in updates] == [first, second]
    assert updates[0].message.text == "/start" and updates[1].callback_query.data == "abc"
    assert confirmed == ()


async def test_limits_answer_429_and_blocked_403(fake_api: FakeTelegram, bot: Bot) -> None:
    fake_api.per_chat_interval_s = 1.0
    fake_api.retry_after = 3
    fake_api.blocked.add(99)

    await bot.send_message(5, "một")
    with pytest.raises(RetryAfter) as too_many:
        await bot.send_message(5, "hai")
    with pytest.raises(Forbidden):
        await bot.send_message(99, "ba")

    assert too_many.value.retry_after == 3
    assert fake_api.delivered == {5: 1}
    assert [r.status for r in fake_api.calls("sendMessage")] == [200, 429, 403]


async def test_global_rate_limit(fake_api: FakeTelegram, bot: Bot) -> None:
    fake_api.rate_per_s = 2
    results = []
    for chat in range(1, 6):
        try:
            await bot.send_message(chat, "x")
            results.append("ok")
        except RetryAfter:
            results.append("429")

    assert results[:2] == ["ok", "ok"] and "429" in results[2:]


async def test_file_download(fake_api: FakeTelegram, bot: Bot) -> None:
    fake_api.add_file("f1", b"roster bytes")

    file = await bot.get_file("f1")

    assert bytes(await file.download_as_bytearray()) == b"roster bytes"


async def test_webhook_lanes_post_each_call_on_a_new_connection_in_order_per_chat(
    fake_api: FakeTelegram, bot: Bot
) -> None:
    """Workers sharing a port (SO_REUSEPORT) each get calls only if calls open connections."""
    calls: list[tuple[int, int, int]] = []  # (client port, chat, update id)

    async def hook(request: web.Request) -> web.Response:
        update = await request.json()
        peer = request.transport.get_extra_info("peername") if request.transport else None
        calls.append((peer[1], update["message"]["chat"]["id"], update["update_id"]))
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        await bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="s" * 32)
        fake_api.webhook_connections = 3
        pushed = [fake_api.push(tg.message(70 + n % 4, f"m{n}")) for n in range(16)]
        await fake_api.wait_for(lambda: len(calls) == 16, 10)
    finally:
        await runner.cleanup()

    assert sorted(update for _, _, update in calls) == pushed  # each once
    assert len({client for client, _, _ in calls}) == 16  # a new connection for every call
    for chat in range(70, 74):
        ids = [update for _, sent_to, update in calls if sent_to == chat]
        assert ids == sorted(ids) and len(ids) == 4
