"""Typed answers through the dispatcher: yes-words confirm, a cancel leaves, anything else
asks the same step again with its options, and a question mid-flow keeps the draft."""

from __future__ import annotations

import logging
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.storage.tables.core import persons, users
from bot.storage.tables.reminders import away_users
from tests.driver import ChatDriver


async def _return_on(chat: ChatDriver) -> date | None:
    actor = await chat.actor()
    async with chat.app.db.read() as tx:
        return await tx.scalar(
            select(away_users.c.return_on).where(away_users.c.user_id == actor.user_id)
        )


async def _at_confirmation(chat: ChatDriver) -> None:
    await chat.say("đi biển đến 12/7")
    assert "Đúng không" in chat.text or "đúng" in chat.text.lower()
    assert len(chat.choices()) == 2


@pytest.mark.parametrize(
    "typed", ["đúng", "dung", "Đúng rồi", "ừ", "ok", "có", "dạ", "vâng", "được", "đc", "oke"]
)
async def test_everyday_yes_words_confirm(app: App, chat: ChatDriver, typed: str) -> None:
    await _at_confirmation(chat)
    await chat.say(typed)
    assert await _return_on(chat) == date(2027, 7, 12), chat.text


async def test_a_no_asks_for_another_date(app: App, chat: ChatDriver) -> None:
    await _at_confirmation(chat)
    await chat.say("không")
    assert await _return_on(chat) is None
    assert "12/7" in chat.text  # the question for the date, with its examples


@pytest.mark.parametrize("typed", ["dừng", "huỷ", "thôi", "dừng lại", "không làm nữa", "/cancel"])
async def test_a_clear_cancel_leaves(app: App, chat: ChatDriver, typed: str) -> None:
    await _at_confirmation(chat)
    await chat.say(typed)
    assert await _return_on(chat) is None
    await chat.say("đúng")  # the flow is gone: nothing to confirm any more
    assert await _return_on(chat) is None


@pytest.mark.parametrize(
    "typed", ["9", "0", "x" * 1000, "🙂", "gì cũng được", "asdfgh", "x" * 1001]
)
async def test_bad_input_asks_the_same_step_again(app: App, chat: ChatDriver, typed: str) -> None:
    await _at_confirmation(chat)
    await chat.say(typed)
    assert [c.label for c in chat.choices()] == ["Đúng rồi", "Không, ngày khác"]
    assert "12 tháng 7 năm 2027" in chat.text  # the question again
    assert "Xin chào" not in chat.text
    if typed.isdigit():
        assert "từ 1 đến 2" in chat.text
    await chat.say("ừ")
    assert await _return_on(chat) == date(2027, 7, 12)


async def test_a_forged_key_changes_nothing(app: App, chat: ChatDriver) -> None:
    await _at_confirmation(chat)
    await chat.press_key("forged-key")
    assert await _return_on(chat) is None
    await chat.say("đúng")
    assert await _return_on(chat) == date(2027, 7, 12)


async def test_nine_of_the_main_menu_says_the_range(app: App, chat: ChatDriver) -> None:
    await chat.say("/menu")
    count = len(chat.choices())
    await chat.say(str(count + 1))
    assert f"từ 1 đến {count}" in chat.text
    assert len(chat.choices()) == count


async def test_a_question_mid_flow_is_answered_and_the_step_kept(
    app: App, chat: ChatDriver
) -> None:
    await _at_confirmation(chat)
    await chat.say("quên mật khẩu vneid thì làm sao?")
    assert len(chat.last) >= 2
    assert "mật khẩu" in chat.last[0].text.lower()
    assert "12 tháng 7 năm 2027" in chat.last[-1].text
    await chat.say("đúng rồi")
    assert await _return_on(chat) == date(2027, 7, 12)


async def test_a_question_while_a_date_is_asked_keeps_the_step(app: App, chat: ChatDriver) -> None:
    await chat.say("/menu")
    await chat.say("đi biển")
    asked = chat.text
    await chat.say("quên mật khẩu vneid thì làm sao?")
    assert asked in chat.last[-1].text
    await chat.say("20 ngày")
    await chat.say("ok")
    today = chat.app.clock.now().date()
    assert await _return_on(chat) in {today + timedelta(days=20), today + timedelta(days=21)}


# --- linking by typing ------------------------------------------------------------------


async def _person(app: App) -> tuple[int, str, date]:
    async with app.db.read() as tx:
        row = (
            await tx.execute(
                select(persons.c.id, persons.c.phone, persons.c.birth_date)
                .where(persons.c.phone.is_not(None), persons.c.birth_date.is_not(None))
                .order_by(persons.c.id)
            )
        ).first()
        assert row is not None
        same_phone = await tx.scalar(
            select(func.count()).select_from(persons).where(persons.c.phone == row[1])
        )
    assert same_phone == 1
    return row[0], row[1], row[2]


async def _linked(chat: ChatDriver) -> int | None:
    actor = await chat.actor()
    async with chat.app.db.read() as tx:
        return await tx.scalar(select(users.c.person_id).where(users.c.id == actor.user_id))


async def test_a_zalo_resident_links_by_typing_phone_and_birth_date(
    demo_app: App, make_chat, caplog: pytest.LogCaptureFixture
) -> None:
    person_id, phone, born = await _person(demo_app)
    chat: ChatDriver = make_chat("z1", "zalo")
    await chat.say("/menu")
    await chat.say("liên kết danh sách")
    assert "nút" not in chat.text.lower() and not any(r.request_phone for r in chat.last)
    spaced = f"{phone[:4]} {phone[4:7]} {phone[7:]}"
    caplog.set_level(logging.INFO)
    await chat.say(f"số tui {spaced.replace(' ', '.')}")
    await chat.say(f"{born.day}/{born.month}/{born.year % 100:02d}")
    assert await _linked(chat) == person_id, chat.text
    assert phone not in caplog.text and phone[1:] not in caplog.text


async def test_unknown_phone_and_wrong_birth_date_get_the_same_reply(
    demo_app: App, make_chat
) -> None:
    _person_id, phone, born = await _person(demo_app)
    first: ChatDriver = make_chat("z2", "zalo")
    await first.say("/menu")
    await first.say("liên kết danh sách")
    await first.say("0999 000 111")
    await first.say("12/3/1975")
    unknown = first.text
    second: ChatDriver = make_chat("z3", "zalo")
    await second.say("/menu")
    await second.say("liên kết danh sách")
    await second.say(phone)
    await second.say(f"{born.day}/{born.month}/{born.year - 1}")
    assert second.text == unknown
    assert await _linked(second) is None


async def test_five_wrong_tries_stop_linking_for_an_hour(demo_app: App, make_chat) -> None:
    person_id, phone, born = await _person(demo_app)
    chat: ChatDriver = make_chat("z4", "zalo")
    await chat.say("/menu")
    await chat.say("liên kết danh sách")
    for _ in range(5):
        await chat.say(phone)
        await chat.say(f"{born.day}/{born.month}/{born.year - 1}")
    assert "thử lại sau" in chat.text
    await chat.say("/menu")
    await chat.say("liên kết danh sách")
    assert "thử lại sau" in chat.text
    demo_app.clock.advance(timedelta(hours=1, minutes=1))  # type: ignore[attr-defined]
    await chat.say("/menu")
    await chat.say("liên kết danh sách")
    await chat.say(phone)
    await chat.say(f"{born.day}/{born.month}/{born.year}")
    assert await _linked(chat) == person_id
