"""The desk: walk-ins found on the roster by name, and check-in per household member."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App
from bot.services.identity import Role
from bot.storage.tables.core import persons
from tests.booking.conftest import Place, add_session, link
from tests.driver import ChatDriver
from tests.journeys.drivers import grant, telegram_chat


async def _level2(app: App) -> dict[int, bool]:
    async with app.db.read() as tx:
        return dict((await tx.execute(select(persons.c.id, persons.c.has_eid_level2))).all())


async def _at_desk(app: App, place: Place) -> ChatDriver:
    lead = ChatDriver(app, "lead")
    await lead.grant(Role.TEAM_LEAD, commune_id=place.commune_id)
    await lead.say("/menu")
    await lead.press("Buổi thu nhận và điểm danh")
    await lead.press("Công an xã")
    await lead.press("Điểm danh")
    return lead


async def test_a_walk_in_is_found_by_name_and_checked_in(app: App, place: Place) -> None:
    await add_session(app, place.police)
    lead = await _at_desk(app, place)
    await lead.say("người tới không hẹn")
    await lead.say("xyz")  # nobody: asked again, nothing recorded
    assert "Không có ai" in lead.text
    assert not any((await _level2(app)).values())
    await lead.say("thi binh")
    await lead.press("Trần Thị Bình")
    await lead.press("đăng ký mức độ 2")
    assert "Trần Thị Bình" in lead.text and "không hẹn" in lead.text
    level2 = await _level2(app)
    assert level2[place.household[1]] and not level2[place.household[0]]


async def test_a_name_without_a_booking_offers_the_roster(app: App, place: Place) -> None:
    await add_session(app, place.police)
    lead = await _at_desk(app, place)
    await lead.say("Nguyen Van Cuong")
    assert "Chưa có lịch hẹn" in lead.text
    await lead.press("Nguyễn Văn Cường")
    await lead.press("đăng ký mức độ 2")
    assert (await _level2(app))[place.household[2]]


async def test_check_in_per_household_member(app: App, place: Place) -> None:
    await add_session(app, place.police)
    resident = ChatDriver(app, "r1")
    await link(resident, place.household[0])
    await resident.say("dat lich")
    await resident.press("mức độ 2")
    await resident.press("Công an xã")
    await resident.press("07:00–07:30")
    await resident.press("Nguyễn Văn Cường")
    await resident.press("Tiếp tục")
    await resident.press("Xác nhận")
    lead = await _at_desk(app, place)
    await lead.say("an")
    await lead.press("Nguyễn Văn An")
    await lead.press("✅ Nguyễn Văn Cường")  # he did not come
    assert "⬜ Nguyễn Văn Cường" in [c.label for c in lead.choices()]
    await lead.press("đăng ký mức độ 2")
    level2 = await _level2(app)
    assert level2[place.household[0]] and not level2[place.household[2]]


async def test_walk_in_on_telegram(app: App, place: Place) -> None:
    await add_session(app, place.police)
    async with telegram_chat(app) as lead:
        await grant(lead, Role.TEAM_LEAD, commune_id=place.commune_id)
        await lead.say("/menu")
        await lead.pick("Buổi thu nhận và điểm danh")
        await lead.pick("Công an xã")
        await lead.pick("Điểm danh")
        await lead.pick("không hẹn")
        await lead.say("binh")
        await lead.pick("Trần Thị Bình")
        await lead.pick("đăng ký mức độ 2")
    assert (await _level2(app))[place.household[1]]


async def test_names_typed_at_booking_are_found_at_the_desk(
    app: App, place: Place, chat: ChatDriver
) -> None:
    await add_session(app, place.police)
    await chat.say("dat lich")
    await chat.press("mức độ 2")
    await chat.press("Công an xã")
    await chat.press("07:00–07:30")
    await chat.say("2")
    await chat.press("Thêm tên")
    await chat.say("12345")  # no name in it: asked again
    assert "tối đa 2 tên" in chat.text
    await chat.say("Lê Văn Tám, Phạm Thị Chín")
    assert "Lê Văn Tám, Phạm Thị Chín" in chat.text
    await chat.press("Xác nhận")
    lead = await _at_desk(app, place)
    await lead.say("tam")
    assert any("Lê Văn Tám +1" in c.label for c in lead.choices())


async def test_moving_a_session_reads_the_day_as_opening_one_does(app: App, place: Place) -> None:
    """Both typed-day steps share one reader: a past day is named, the step is asked again."""
    await add_session(app, place.police)
    lead = ChatDriver(app, "lead")
    await lead.grant(Role.TEAM_LEAD, commune_id=place.commune_id)
    await lead.say("/menu")
    await lead.press("Buổi thu nhận và điểm danh")
    await lead.press("Công an xã")
    await lead.press("Dời sang ngày")
    await lead.say("1/1/2020")
    assert "đã qua" in lead.text
    await lead.say("không rõ")
    assert "12/7" in lead.text
    await lead.say("mai")
    await lead.say("25h")
    assert "7h, 7:30" in lead.text
