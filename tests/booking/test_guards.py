"""Forged and stale buttons, the cut-off and someone else's booking: nothing changes."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from bot.app import App
from bot.services.booking import reservations
from bot.services.booking.rules import BookError
from bot.storage.tables.booking import booking_sessions, bookings, home_visits
from tests.booking.conftest import Place, add_session, link
from tests.driver import ChatDriver


async def _book(chat: ChatDriver) -> None:
    await chat.say("dat lich")
    await chat.press("mức độ 2")
    await chat.press("Công an xã")
    await chat.press("07:00–07:30")
    await chat.press(1)
    await chat.press("Xác nhận")


async def _statuses(app: App) -> list[str]:
    async with app.db.read() as tx:
        return list((await tx.execute(select(bookings.c.status))).scalars())


async def test_stale_and_forged_buttons_change_nothing(app: App, place: Place) -> None:
    await add_session(app, place.police)
    alice, bob = ChatDriver(app, "alice"), ChatDriver(app, "bob")
    await _book(alice)
    await alice.say("/mybookings")
    cancel_key = alice.choice("Huỷ lịch").key
    await alice.press("Huỷ lịch")
    await alice.press("Có, huỷ")
    assert await _statuses(app) == ["cancelled"]

    again = await alice.press_key(cancel_key)  # the old button, after the cancel
    assert "đã bị huỷ hoặc đã điểm danh" in again[0].text
    assert (await bob.press_key(cancel_key))[0].text.startswith("Nút này đã hết hạn")
    assert (await bob.press_key("made-up-key"))[0].text.startswith("Nút này đã hết hạn")

    await _book(bob)
    await bob.say("/mybookings")
    confirm_key = None
    await bob.say("dat lich")
    await bob.press("mức độ 2")
    confirm_key = bob.choice("Công an xã").key
    await bob.say("huỷ")
    stale = await bob.press_key(confirm_key)  # a session button outside the flow
    assert stale[0].text.startswith("Nút này đã hết hạn")
    assert sorted(await _statuses(app)) == ["cancelled", "confirmed"]


async def test_cannot_cancel_someone_elses_booking(app: App, place: Place) -> None:
    await add_session(app, place.police)
    alice, bob = ChatDriver(app, "alice"), ChatDriver(app, "bob")
    await _book(alice)
    async with app.db.read() as tx:
        booking_id = await tx.scalar(select(bookings.c.id))
    bob_actor = await bob.actor()
    async with app.db.write() as tx:
        result = await reservations.cancel(
            tx, booking_id=booking_id, user_id=bob_actor.user_id, now=app.clock.now()
        )
    assert result is BookError.NOT_YOURS
    assert await _statuses(app) == ["confirmed"]


async def test_cutoff_in_the_chat(app: App, place: Place, chat: ChatDriver) -> None:
    await add_session(app, place.police, cutoff=timedelta(hours=12))
    await chat.say("dat lich")
    await chat.press("mức độ 2")
    await chat.press("Công an xã")
    await chat.press("07:00–07:30")
    await chat.press(1)
    app.clock.advance(timedelta(hours=12))  # 20:00: the cut-off (19:00) has passed
    await chat.press("Xác nhận")
    assert "hết hạn đặt lịch" in chat.text
    assert await _statuses(app) == []


async def test_one_booking_per_person_in_the_chat(app: App, place: Place) -> None:
    await add_session(app, place.police)
    chat = ChatDriver(app)
    await link(chat, place.household[0])
    for _ in range(2):
        await chat.say("dat lich")
        await chat.press("mức độ 2")
        await chat.press("Công an xã")
        await chat.press("08:00–08:30")
        await chat.press("Tiếp tục")
        await chat.press("Xác nhận")
    assert "đã có người được đặt lịch" in chat.text and "08:00–08:30" in chat.text
    assert await _statuses(app) == ["confirmed"]


async def test_home_visit_requested_listed_and_done(app: App, place: Place) -> None:
    from bot.services.identity import Role

    await add_session(app, place.border_post, is_mobile=True)
    family = ChatDriver(app, "family")
    await link(family, place.household[0])
    await family.say("/menu")
    await family.press("Làm tại nhà hoặc đưa đón")
    await family.press("Trần Thị Bình")
    await family.press("Tổ công tác đến tận nhà")
    await family.press("nằm liệt giường")
    await family.press("12 Đầm Môn")
    await family.say("12345")
    assert "không phải số di động" in family.text
    await family.say("0912 345 678")
    await family.press("Giờ nào cũng được")
    await family.press("Gửi")
    assert "Đã gửi đề nghị" in family.text

    lead = ChatDriver(app, "lead")
    await lead.grant(Role.TEAM_LEAD, commune_id=place.commune_id)
    await lead.say("/menu")
    await lead.press("Đề nghị làm tại nhà")
    assert "Trần Thị Bình" in lead.text and "091****678" in lead.text
    assert "0912345678" not in lead.text  # masked in the list
    await lead.press("Trần Thị Bình")
    await lead.press("Xếp vào đợt đi")
    await lead.press("Đồn Biên phòng")
    assert "gia đình đã được báo" in lead.text
    await lead.say("/menu")
    await lead.press("Đề nghị làm tại nhà")
    await lead.press("Trần Thị Bình")
    await lead.press("Đánh dấu đã xong")
    async with app.db.read() as tx:
        status, round_id = (
            await tx.execute(select(home_visits.c.status, home_visits.c.round_session_id))
        ).one()
        mobile = await tx.scalar(select(booking_sessions.c.id))
    assert (status, round_id) == ("done", mobile)


async def test_import_sessions_csv_reports_bad_rows(
    app: App, place: Place, tmp_path: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    from bot.cli.sessions import run

    csv_file = tmp_path / "sessions.csv"
    csv_file.write_text(
        "place,address,village,date,start,end,machines,minutes_per_person,mobile\n"
        "Nhà văn hóa Đầm Môn,Cạnh chợ,Đầm Môn,5/12/2026,7h,22h,2,8,\n"
        "Đồn Biên phòng,Bến tàu,Điệp Sơn,6/12/2026,8:00,15:00,2,8,có\n"
        "Nhà văn hóa Đầm Môn,Cạnh chợ,Đầm Môn,31/2/2026,7h,11h,2,8,\n"
        "Nhà văn hóa Đầm Môn,Cạnh chợ,Đầm Môn,7/12/2026,11h,7h,2,8,\n"
        "Nhà văn hóa Đầm Môn,Cạnh chợ,Đầm Môn,7/12/2026,7h,11h,0,8,\n"
        "Nhà văn hóa Đầm Môn,Cạnh chợ,Thôn Ma,7/12/2026,7h,11h,2,8,\n"
        "Nhà văn hóa Đầm Môn,Cạnh chợ,Đầm Môn,20/11/2026,7h,11h,2,8,\n"
        "Nhà văn hóa Đầm Môn,Cạnh chợ,Đầm Môn,5/12/2026,7h,22h,2,8,\n",
        encoding="utf-8",
    )
    assert await run(csv_file.read_text(encoding="utf-8"), app.settings) == 1
    out = capsys.readouterr()
    assert "Đã nhập 2 buổi, từ chối 6 dòng" in out.out
    for line, word in (
        (4, "không đọc được ngày"),
        (5, "phải sau giờ bắt đầu"),
        (6, "Số máy"),
        (7, "không có thôn"),
        (8, "đã qua"),
        (9, "đã có rồi"),
    ):
        assert f"dòng {line}: " in out.err and word in out.err
    async with app.db.read() as tx:
        assert len((await tx.execute(select(booking_sessions))).all()) == 2
