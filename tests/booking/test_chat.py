"""The resident's booking flow in the chat: book, see, reschedule, cancel; restart mid-way."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App, build_app
from bot.config import Settings
from bot.core.clock import FixedClock
from bot.storage.tables.booking import booking_members, booking_slots, bookings
from tests.booking.conftest import Place, add_session, link
from tests.driver import ChatDriver


async def _rows(app: App) -> list[tuple[int, int, str, int]]:
    async with app.db.read() as tx:
        return [
            tuple(r)
            for r in await tx.execute(
                select(bookings.c.id, bookings.c.slot_id, bookings.c.status, bookings.c.people)
            )
        ]


async def _taken(app: App) -> dict[int, int]:
    async with app.db.read() as tx:
        return dict((await tx.execute(select(booking_slots.c.id, booking_slots.c.taken))).all())


async def test_book_see_reschedule_cancel(app: App, place: Place, chat: ChatDriver) -> None:
    await add_session(app, place.police)
    await chat.say("đặt lịch")
    assert "làm gì" in chat.text
    await chat.press("mức độ 2")
    await chat.press("Công an xã")
    assert "Chọn khung giờ" in chat.text
    await chat.press("07:00–07:30")
    assert "Bao nhiêu người" in chat.text
    await chat.say("2")
    assert "kiểm tra lịch hẹn" in chat.text
    await chat.press("Xác nhận")
    assert "đặt lịch thành công" in chat.text
    assert "Thẻ căn cước (hoặc CCCD gắn chip) bản gốc" in chat.text  # what to bring
    ((booking_id, slot_id, status, people),) = await _rows(app)
    assert (status, people) == ("confirmed", 2)
    assert (await _taken(app))[slot_id] == 2

    await chat.say("/mybookings")
    assert f"#{booking_id}" in chat.text and "07:00–07:30" in chat.text
    await chat.press("Đổi lịch")
    await chat.press("Công an xã")
    await chat.press("08:00–08:30")
    await chat.press("Xác nhận")
    assert "đã được đổi" in chat.text
    ((_, new_slot, status, _),) = await _rows(app)
    taken = await _taken(app)
    assert new_slot != slot_id and status == "confirmed"
    assert taken[slot_id] == 0 and taken[new_slot] == 2

    await chat.say("/mybookings")
    await chat.press("Huỷ lịch")
    await chat.press("Có, huỷ")
    assert "Đã huỷ lịch hẹn" in chat.text
    assert (await _rows(app))[0][2] == "cancelled"
    assert (await _taken(app))[new_slot] == 0


async def test_household_picks_who_comes(app: App, place: Place, chat: ChatDriver) -> None:
    await add_session(app, place.police)
    await link(chat, place.household[0])
    await chat.say("/book")
    await chat.press("Thẻ căn cước và VNeID")
    await chat.press("Công an xã")
    await chat.press("07:00–07:30")
    assert "Ai sẽ đến" in chat.text
    assert chat.choice("Nguyễn Văn An").label.startswith("✅")
    await chat.press("Trần Thị Bình")
    await chat.press("Tiếp tục với 2 người")
    await chat.press("Xác nhận")
    assert "2 người" in chat.text
    async with app.db.read() as tx:
        members = set(
            await tx.scalars(select(booking_members.c.person_id).where(booking_members.c.active))
        )
    assert members == set(place.household[:2])


async def test_restart_mid_booking_continues(
    app: App, place: Place, settings: Settings, clock: FixedClock
) -> None:
    await add_session(app, place.police)
    chat = ChatDriver(app)
    await chat.say("dat lich")
    await chat.press("mức độ 2")
    await chat.press("Công an xã")
    await app.close()
    chat.app = await build_app(settings, clock)
    try:
        await chat.say("1")  # the first slot, picked from the list shown before the restart
        await chat.say("3")
        await chat.say("1")  # Xác nhận
        assert "đặt lịch thành công" in chat.text
        assert [r[3] for r in await _rows(chat.app)] == [3]
    finally:
        await chat.app.close()
