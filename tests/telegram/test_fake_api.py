"""The fake Bot API answers PTB as Telegram would, including its 429s and 403s."""

from __future__ import annotations

import pytest
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
