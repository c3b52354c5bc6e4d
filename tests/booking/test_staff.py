"""Team leads: open a session step by step, cancel it (people told), check people in."""

from __future__ import annotations

from datetime import date, time

from sqlalchemy import select

from bot.app import App
from bot.core.understand.dates import day as parse_day
from bot.core.understand.times import clock as parse_clock
from bot.services.identity import Role
from bot.storage.tables.booking import booking_sessions, booking_slots, bookings
from bot.storage.tables.core import outbox, persons
from tests.booking.conftest import Place, add_session, link
from tests.driver import ChatDriver


def test_vietnamese_dates_and_times() -> None:
    today = date(2026, 12, 1)
    assert parse_day("12/7", today) == date(2027, 7, 12)  # July has passed: next July
    assert parse_day("3/12", today) == date(2026, 12, 3)
    assert parse_day("12/7/2027", today) == date(2027, 7, 12)
    assert parse_day("ngày mai", today) == date(2026, 12, 2)
    assert parse_day("31/2", today) is None
    assert parse_day("hello", today) is None
    assert parse_clock("7h") == time(7, 0)
    assert parse_clock("7:30") == time(7, 30)
    assert parse_clock("19h30") == time(19, 30)
    assert parse_clock("7 giờ tối") == time(19, 0)
    assert parse_clock("25h") is None


async def _lead(app: App, place: Place, user: str = "lead") -> ChatDriver:
    lead = ChatDriver(app, user)
    await lead.grant(Role.TEAM_LEAD, commune_id=place.commune_id)
    return lead


async def test_open_session_validates_every_field(app: App, place: Place) -> None:
    lead = await _lead(app, place)
    await lead.say("/menu")
    await lead.press("Mở buổi thu nhận")
    await lead.press("Địa điểm mới")
    await lead.say("Nhà văn hóa thôn Đầm Môn")
    await lead.press("Đầm Môn")
    await lead.say("Cạnh chợ")
    await lead.say("30/11/2026")
    assert "đã qua" in lead.text
    await lead.say("ngày nọ")
    assert "không đọc được ngày" in lead.text
    await lead.say("3/12")
    assert "Mấy giờ bắt đầu" in lead.text
    await lead.say("7h")
    await lead.say("6h30")
    assert "phải sau giờ bắt đầu" in lead.text
    await lead.say("22h")
    await lead.say("0")
    assert "Số máy phải từ 1" in lead.text
    await lead.say("2")
    await lead.press("10")
    await lead.press("Không, tại điểm")
    await lead.press("Đến khi bắt đầu")
    assert "tổng cộng 180 chỗ" in lead.text  # 2 machines × 15 h × 60 ÷ 10
    async with app.db.read() as tx:
        assert (await tx.execute(select(booking_sessions))).first() is None
    await lead.press("Mở buổi này")
    assert "đã mở đặt lịch" in lead.text
    async with app.db.read() as tx:
        slots = (await tx.execute(select(booking_slots.c.capacity))).scalars().all()
    assert len(slots) == 30 and set(slots) == {6}


async def test_resident_cannot_open_sessions(app: App, place: Place, chat: ChatDriver) -> None:
    await chat.say("/menu")
    assert not any("Mở buổi" in c.label for c in chat.choices())


async def test_cancelled_session_tells_people_and_takes_no_booking(app: App, place: Place) -> None:
    session_id = await add_session(app, place.police)
    other = await add_session(app, place.police, start=time(13, 0), end=time(14, 0))
    resident = ChatDriver(app, "r1")
    await resident.say("dat lich")
    await resident.press("mức độ 2")
    await resident.press("07:00–11:00")
    await resident.press("07:00–07:30")
    await resident.say("1")
    await resident.press("Xác nhận")
    late = ChatDriver(app, "r2")  # half-way through booking when the session is cancelled
    await late.say("dat lich")
    await late.press("mức độ 2")
    await late.press("07:00–11:00")
    await late.press("07:30–08:00")
    await late.say("1")

    lead = await _lead(app, place)
    await lead.say("/menu")
    await lead.press("Buổi thu nhận và điểm danh")
    await lead.press("07:00–11:00")
    await lead.press("Huỷ buổi thu nhận")
    await lead.press("Có, huỷ buổi này")
    assert "đã báo cho 1 lịch hẹn" in lead.text

    async with app.db.read() as tx:
        (message,) = (await tx.execute(select(outbox.c.text, outbox.c.payload))).all()
        status = await tx.scalar(select(bookings.c.status))
        cancelled = await tx.scalar(
            select(booking_sessions.c.status).where(booking_sessions.c.id == session_id)
        )
    assert "đã bị huỷ" in message.text and status == "cancelled" and cancelled == "cancelled"
    assert message.payload["choices"]  # the next options, in the other session
    assert other

    await late.press("Xác nhận")
    assert "đã bị huỷ" in late.text
    async with app.db.read() as tx:
        assert len((await tx.execute(select(bookings))).all()) == 1


async def test_team_lead_checks_people_in(app: App, place: Place) -> None:
    await add_session(app, place.police)
    resident = ChatDriver(app, "r1")
    await link(resident, place.household[0])
    await resident.say("dat lich")
    await resident.press("Thẻ căn cước và VNeID")
    await resident.press("Công an xã")
    await resident.press("07:00–07:30")
    await resident.press("Nguyễn Văn Cường")
    await resident.press("Tiếp tục")
    await resident.press("Xác nhận")

    lead = await _lead(app, place)
    await lead.say("/menu")
    await lead.press("Buổi thu nhận và điểm danh")
    await lead.press("Công an xã")
    await lead.press("Điểm danh")
    await lead.say("cuong")  # find by part of a name, without accents
    await lead.press("Nguyễn Văn An")
    await lead.press("nhận hồ sơ căn cước và đăng ký mức độ 2")
    assert "Đã ghi" in lead.text and "Không còn lịch hẹn" in lead.text

    async with app.db.read() as tx:
        rows = (
            await tx.execute(
                select(
                    persons.c.id,
                    persons.c.has_id_card,
                    persons.c.has_eid_level2,
                    persons.c.id_card_applied_at,
                )
            )
        ).all()
        status, outcome = (await tx.execute(select(bookings.c.status, bookings.c.outcome))).one()
    assert (status, outcome) == ("arrived", "both")
    by_id = {r.id: r for r in rows}
    for pid in (place.household[0], place.household[2]):
        assert by_id[pid].has_eid_level2 and by_id[pid].id_card_applied_at is not None
        assert not by_id[pid].has_id_card  # an application is not a card
    assert not by_id[place.household[1]].has_eid_level2  # not booked, not touched
