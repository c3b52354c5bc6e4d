"""A household's bookings: shown to every linked member, joined, moved or cancelled by words."""

from __future__ import annotations

from datetime import time

from sqlalchemy import select

from bot.app import App
from bot.storage.tables.booking import booking_members, bookings, waitlist_entries
from tests.booking.conftest import Place, add_session, link
from tests.driver import ChatDriver
from tests.journeys.drivers import telegram_chat


async def _bookings(app: App) -> list[tuple[int, str, int]]:
    async with app.db.read() as tx:
        rows = await tx.execute(
            select(bookings.c.id, bookings.c.status, bookings.c.people).order_by(bookings.c.id)
        )
        return [tuple(r) for r in rows]


async def _book(chat: ChatDriver, *add: str, slot: str = "07:00–07:30") -> None:
    await chat.say("đặt lịch")
    await chat.press("mức độ 2")
    await chat.press("Công an xã")
    await chat.press(slot)
    for name in add:
        await chat.press(name)
    await chat.press("Tiếp tục")
    await chat.press("Xác nhận")


async def test_a_booking_by_another_member_is_named_and_can_be_joined(
    app: App, place: Place
) -> None:
    await add_session(app, place.police)
    an, binh = ChatDriver(app, "an"), ChatDriver(app, "binh")
    await link(an, place.household[0])
    await link(binh, place.household[1])
    await _book(an, "Nguyễn Văn Cường")
    await _book(binh, "Nguyễn Văn Cường", slot="08:00–08:30")
    text = binh.text
    assert "Nguyễn Văn Cường" in text and "07:00" in text and "do Nguyễn Văn An đặt" in text
    assert len(await _bookings(app)) == 1  # nothing new was booked
    await binh.press("Đi cùng lịch")
    assert "đặt lịch thành công" in binh.text
    ((booking_id, status, people),) = await _bookings(app)
    assert (status, people) == ("confirmed", 3)
    async with app.db.read() as tx:
        members = set(
            await tx.scalars(
                select(booking_members.c.person_id).where(
                    booking_members.c.booking_id == booking_id, booking_members.c.active
                )
            )
        )
    assert members == set(place.household)

    await binh.say("/mybookings")
    assert f"#{booking_id}" in binh.text and "do Nguyễn Văn An đặt" in binh.text
    await binh.say("huy lich hen")
    assert "Huỷ lịch hẹn" in binh.text
    await binh.say("abc")  # fits nothing: nothing is cancelled
    assert (await _bookings(app))[0][1] == "confirmed"
    await binh.say("huy lich hen")
    await binh.press("Có, huỷ")
    assert (await _bookings(app))[0][1] == "cancelled"


async def test_cancel_words(app: App, place: Place, chat: ChatDriver) -> None:
    await add_session(app, place.police)
    await chat.say("không đi được nữa")
    assert "chưa có lịch hẹn" in chat.text
    await chat.say("đặt lịch")
    await chat.press("mức độ 2")
    await chat.press("Công an xã")
    await chat.press("07:00–07:30")
    await chat.say("2")
    await chat.press("Xác nhận")
    await chat.say("không đi được nữa")
    assert "Huỷ lịch hẹn" in chat.text
    await chat.press("Có, huỷ")
    assert [s for _, s, _ in await _bookings(app)] == ["cancelled"]


async def test_a_waiting_person_can_leave_the_list(app: App, place: Place) -> None:
    await add_session(app, place.police, end=time(7, 10), machines=1, minutes=10)
    first, second = ChatDriver(app, "r1"), ChatDriver(app, "r2")
    await first.say("dat lich")
    await first.press("mức độ 2")
    await first.press("Công an xã")
    await first.press("07:00–07:10")
    await first.press(1)
    await first.press("Xác nhận")
    await second.say("dat lich")
    await second.press("mức độ 2")
    await second.press("Công an xã")
    await second.press("danh sách chờ")
    await second.press(1)
    await second.press("Xác nhận")
    await second.say("/mybookings")
    assert "Đang chờ chỗ" in second.text
    await second.press("Rời danh sách chờ")
    assert "đã rời danh sách chờ" in second.text
    async with app.db.read() as tx:
        assert list(await tx.scalars(select(waitlist_entries.c.status))) == ["cancelled"]


async def test_cancel_by_words_on_telegram(app: App, place: Place) -> None:
    await add_session(app, place.police)
    async with telegram_chat(app) as person:
        await person.say("đặt lịch")
        await person.pick("mức độ 2")
        await person.pick("Công an xã")
        await person.pick("07:00")
        await person.say("1")
        await person.pick("Xác nhận")
        texts = await person.say("huỷ lịch")
        assert "Huỷ lịch hẹn" in "\n".join(texts)
        await person.pick("Có, huỷ")
    assert [s for _, s, _ in await _bookings(app)] == ["cancelled"]
