"""Every slot of a long session can be booked; only slots with room for the group are offered."""

from __future__ import annotations

from datetime import time

from sqlalchemy import select, update

from bot.app import App
from bot.storage.tables.booking import booking_slots, bookings
from tests.booking.conftest import Place, add_session, link
from tests.driver import ChatDriver
from tests.journeys.drivers import telegram_chat


async def _booked(app: App) -> list[tuple[int, int]]:
    async with app.db.read() as tx:
        return [tuple(r) for r in await tx.execute(select(bookings.c.slot_id, bookings.c.people))]


async def _to_slots(chat: ChatDriver) -> None:
    await chat.say("đặt lịch")
    await chat.press("mức độ 2")
    await chat.press("Công an xã")


async def test_evening_slots_by_part_of_day_and_typed_time(
    app: App, place: Place, chat: ChatDriver
) -> None:
    await add_session(app, place.police, start=time(7, 0), end=time(22, 0))
    await _to_slots(chat)
    labels = [c.label for c in chat.choices()]
    assert "Giờ sau" in labels and "Buổi tối" in labels
    assert not any(label.startswith("13:00") for label in labels)
    await chat.press("Buổi tối")
    assert chat.choices()[0].label.startswith("17:00")
    await chat.say("không biết")  # fits nothing: the same step again, nothing booked
    assert "Vui lòng chọn giờ" in chat.text and await _booked(app) == []
    await chat.say("8 giờ tối")
    assert "Bao nhiêu người" in chat.text
    await chat.say("1")
    await chat.press("Xác nhận")
    assert "20:00" in chat.text


async def test_later_pages_reach_the_last_slot(app: App, place: Place, chat: ChatDriver) -> None:
    await add_session(app, place.police, start=time(7, 0), end=time(22, 0))
    await _to_slots(chat)
    for _ in range(3):
        await chat.press("Giờ sau")
    assert any(c.label.startswith("21:30") for c in chat.choices())
    await chat.say("giờ trước")
    assert not any(c.label.startswith("21:30") for c in chat.choices())
    await chat.say("21h30")
    assert "Bao nhiêu người" in chat.text


async def test_only_slots_with_room_for_the_group(
    app: App, place: Place, chat: ChatDriver
) -> None:
    session = await add_session(app, place.police)
    async with app.db.write() as tx:
        first = await tx.scalar(
            select(booking_slots.c.id).where(booking_slots.c.session_id == session).limit(1)
        )
        await tx.execute(
            update(booking_slots)
            .where(booking_slots.c.id == first)
            .values(taken=booking_slots.c.capacity - 2)
        )
    await _to_slots(chat)
    await chat.press("07:00–07:30")
    await chat.say("5")
    assert "chỉ còn 2 chỗ" in chat.text
    assert not any(c.label.startswith("07:00") for c in chat.choices())
    await chat.press("07:30–08:00")
    assert "kiểm tra lịch hẹn" in chat.text  # who comes is kept
    await chat.press("Xác nhận")
    ((slot, people),) = await _booked(app)
    assert slot != first and people == 5


async def test_a_group_too_big_for_any_slot_is_told_how_to_split(
    app: App, place: Place, chat: ChatDriver
) -> None:
    await add_session(app, place.police, machines=1, minutes=15, slot_minutes=30)
    await link(chat, place.household[0])
    await _to_slots(chat)
    await chat.press("07:00–07:30")
    for name in ("Trần Thị Bình", "Nguyễn Văn Cường"):
        await chat.press(name)
    await chat.press("Tiếp tục")
    assert "không còn khung giờ nào đủ chỗ cho 3 người" in chat.text
    await chat.press("Đổi người đi")
    await chat.press("Nguyễn Văn Cường")
    await chat.press("Tiếp tục")
    await chat.press("07:00–07:30")
    await chat.press("Xác nhận")
    assert await _booked(app) == [(await _first_slot(app), 2)]


async def _first_slot(app: App) -> int:
    async with app.db.read() as tx:
        return int(await tx.scalar(select(booking_slots.c.id).order_by(booking_slots.c.id)))


async def test_evening_slot_on_telegram(app: App, place: Place) -> None:
    await add_session(app, place.police, start=time(7, 0), end=time(22, 0))
    async with telegram_chat(app) as person:
        await person.say("đặt lịch")
        await person.pick("mức độ 2")
        await person.pick("Công an xã")
        await person.pick("Buổi tối")
        await person.pick("21:00")
        await person.say("2")
        texts = await person.pick("Xác nhận")
        assert "21:00" in "\n".join(texts)
    assert len(await _booked(app)) == 1
