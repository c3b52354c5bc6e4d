"""Every journey finished by typing words alone (no numbers, no button keys), on the console
and on the Zalo fake, each ending with what the tapped journey stores."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from bot.core.text import fold
from bot.services.identity import Role
from bot.storage.tables.booking import booking_sessions, bookings, home_visits
from bot.storage.tables.broadcast import broadcasts
from bot.storage.tables.core import persons, users
from bot.storage.tables.reminders import away_users
from tests.journeys.conftest import Typist
from tests.journeys.drivers import actor_of, grant


async def user_id(person: Typist) -> int:
    return (await actor_of(person)).user_id  # type: ignore[arg-type]


async def test_faq_by_typing(person: Typist) -> None:
    text = await person.say("alo")
    text = await person.say("ko nhan dc otp")
    assert "OTP" in text and "1900 0368" in text


async def _book(person: Typist) -> str:
    await person.say("đặt lịch")
    await person.say("làm căn cước")
    text = await person.say("thứ 4 buổi sáng")
    assert "07:30" in text
    await person.say("8h30")
    text = await person.say("1 người") if "1 người" not in text else text
    return await person.say("ok")


async def test_booking_rescheduling_and_cancelling_by_typing(person: Typist) -> None:
    booked = await _book(person)
    assert "08:30–09:00" in booked
    uid = await user_id(person)
    async with person.app.db.read() as tx:
        rows = (
            await tx.execute(
                select(bookings.c.people, bookings.c.status).where(bookings.c.user_id == uid)
            )
        ).all()
    assert [tuple(r) for r in rows] == [(1, "confirmed")]

    await person.say("lịch của tôi")
    await person.say("đổi lịch")
    text = await person.say("thứ 4 buổi sáng")
    await person.say("9h")
    text = await person.say("xác nhận")
    assert "09:00–09:30" in text
    await person.say("lịch của tôi")
    await person.say("huỷ lịch")
    await person.say("có")
    async with person.app.db.read() as tx:
        statuses = (
            (await tx.execute(select(bookings.c.status).where(bookings.c.user_id == uid)))
            .scalars()
            .all()
        )
    assert "confirmed" not in statuses and "cancelled" in statuses


async def test_home_visit_by_typing(person: Typist) -> None:
    await person.say("/menu")
    await person.say("làm tại nhà")
    await person.say("người khác")
    await person.say("Nguyễn Thị Lan")
    await person.say("đến nhà")
    await person.say("liệt giường")
    await person.say("12 thôn Đầm Môn")
    await person.say("0905 123 456")
    await person.say("sáng cuối tuần")
    await person.say("đầm môn")
    text = await person.say("gửi")
    assert "số 1" in text or "(số" in text
    async with person.app.db.read() as tx:
        row = (await tx.execute(select(home_visits.c.kind, home_visits.c.reason))).one()
    assert tuple(row) == ("visit", "elderly")


async def test_at_sea_by_typing(person: Typist) -> None:
    await person.say("em đi biển 20 ngày")
    await person.say("đúng rồi")
    uid = await user_id(person)
    async with person.app.db.read() as tx:
        back = await tx.scalar(select(away_users.c.return_on).where(away_users.c.user_id == uid))
    assert back == date(2026, 12, 21)  # 20 days from Tuesday 1 December


async def test_linking_by_typing(person: Typist) -> None:
    async with person.app.db.read() as tx:
        person_id, phone, born = (
            await tx.execute(
                select(persons.c.id, persons.c.phone, persons.c.birth_date)
                .where(persons.c.phone.is_not(None), persons.c.birth_date.is_not(None))
                .order_by(persons.c.id)
            )
        ).first()
    await person.say("/menu")
    await person.say("liên kết danh sách dân cư")
    await person.say(f"số tui {phone[:4]}.{phone[4:7]}.{phone[7:]}")
    await person.say(f"ngày sinh {born.day}-{born.month:02d}-{born.year}")
    uid = await user_id(person)
    async with person.app.db.read() as tx:
        assert await tx.scalar(select(users.c.person_id).where(users.c.id == uid)) == person_id


async def test_opening_a_session_by_typing(person: Typist) -> None:
    await grant(person, Role.TEAM_LEAD, commune_id=1)  # type: ignore[arg-type]
    await person.say("/menu")
    await person.say("mở buổi")
    await person.say("khải lương")
    await person.say("thứ 7 này")
    await person.say("7h")
    await person.say("11h")
    await person.say("4 máy")
    await person.say("10 phút")
    await person.say("lưu động: ko")
    await person.say("trước 2 tiếng")
    text = await person.say("mở")
    assert "đã mở" in text
    async with person.app.db.read() as tx:
        machines = (
            (await tx.execute(select(booking_sessions.c.machines).order_by(booking_sessions.c.id)))
            .scalars()
            .all()
        )
    assert machines[-1] == 4


async def test_broadcast_by_typing(person: Typist) -> None:
    await grant(person, Role.TEAM_LEAD, commune_id=1)  # type: ignore[arg-type]
    await person.say("/menu")
    await person.say("gửi thông báo")
    await person.say("hon ong")
    await person.say("tiếp tục")
    await person.say("cả thôn")
    await person.say("Mời bà con ra nhà văn hóa sáng thứ 7")
    await person.say("có")
    await person.say("gửi luôn")
    async with person.app.db.read() as tx:
        row = (await tx.execute(select(broadcasts.c.with_replies, broadcasts.c.text))).one()
    assert row[0] is True and "nhà văn hóa" in row[1]


async def test_check_in_by_typing(person: Typist) -> None:
    await grant(person, Role.TEAM_LEAD, commune_id=1)  # type: ignore[arg-type]
    await person.say("/menu")
    await person.say("điểm danh")
    await person.say("thứ 4 sáng")
    said = await person.say("điểm danh")
    listed = said if isinstance(said, str) else "\n".join(str(r) for r in said)
    first = re.search(r"#1 · ([^\n/]+)", listed)
    assert first, listed
    await person.say(fold(first.group(1).split()[-1]))  # the given name, without marks
    await person.say("đã đến")
    await person.say("căn cước và mức 2")
    async with person.app.db.read() as tx:
        outcomes = (
            (await tx.execute(select(bookings.c.outcome).where(bookings.c.outcome.is_not(None))))
            .scalars()
            .all()
        )
    assert len(outcomes) == 1


async def test_missing_list_and_marks_by_typing(person: Typist) -> None:
    await grant(person, Role.VILLAGE_HEAD, village_id=2)  # type: ignore[arg-type]
    await person.say("/menu")
    text = await person.say("người còn thiếu")
    assert "Trang 1/" in text
    text = await person.say("trang sau")
    assert "Trang 2/" in text
    await person.say("trang trước")
    await person.say("đánh dấu")
    await person.say("mai xuan hai")
    await person.say("đi biển")
    text = await person.say("20/12")
    async with person.app.db.read() as tx:
        rows = (
            await tx.execute(
                select(persons.c.status, persons.c.away_until).where(
                    persons.c.full_name == "Mai Xuân Hải"  # one of the namesakes, in village 2
                )
            )
        ).all()
    assert ("away", date(2026, 12, 20)) in [tuple(r) for r in rows], text
