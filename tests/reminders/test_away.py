"""The "at sea until" flow: read the date back, confirm, store it, schedule the reminders."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from bot.app import App
from bot.storage.tables.core import persons
from bot.storage.tables.reminders import away_users
from tests.driver import ChatDriver
from tests.reminders.conftest import Roster, local, reminder_rows


async def person(app: App, person_id: int) -> tuple[str, date | None]:
    async with app.db.read() as tx:
        row = (
            await tx.execute(
                select(persons.c.status, persons.c.away_until).where(persons.c.id == person_id)
            )
        ).one()
    return row[0], row[1]


async def test_linked_resident_sets_a_lunar_return_date(
    app: App, roster: Roster, linked_chat
) -> None:
    chat: ChatDriver = await linked_chat("ngu1", roster.sailor)
    await chat.say("menu")
    await chat.press("đi biển")
    await chat.say("tới rằm")
    assert "thứ Tư, 23 tháng 12 năm 2026 (rằm tháng 11 âm lịch)" in chat.text
    await chat.press("Đúng")
    assert "23 tháng 12 năm 2026" in chat.text and "07:00" in chat.text
    assert await person(app, roster.sailor) == ("away", date(2026, 12, 23))
    rows = await reminder_rows(app, person_id=roster.sailor)
    assert [(r["kind"], r["status"]) for r in rows] == [
        ("return_day", "scheduled"),
        ("follow_up", "scheduled"),
        ("follow_up", "scheduled"),
    ]
    assert [r["due_at"] for r in rows] == [
        local("2026-12-23 07:00"),
        local("2026-12-25 07:00"),
        local("2026-12-28 07:00"),
    ]


async def test_unlinked_user_is_stored_and_told_how_to_link(app: App, chat: ChatDriver) -> None:
    await chat.say("di bien den 12/7")
    assert "thứ Hai, 12 tháng 7 năm 2027" in chat.text
    await chat.press("Đúng")
    assert "chưa liên kết" in chat.text
    assert chat.choice("Liên kết").action == "identity.link"
    actor = await chat.actor()
    async with app.db.read() as tx:
        stored = await tx.scalar(
            select(away_users.c.return_on).where(away_users.c.user_id == actor.user_id)
        )
    assert stored == date(2027, 7, 12)
    assert len(await reminder_rows(app, user_id=actor.user_id)) == 3


async def test_ambiguous_date_is_asked_back(app: App, chat: ChatDriver) -> None:
    await chat.say("menu")
    await chat.press("đi biển")
    await chat.say("cuối tuần")
    assert "ngày nào" in chat.text
    assert [c.label for c in chat.choices()] == [
        "thứ Bảy, 5 tháng 12 năm 2026",
        "chủ nhật, 6 tháng 12 năm 2026",
    ]
    await chat.press(2)
    assert "chủ nhật, 6 tháng 12 năm 2026" in chat.text
    await chat.press("Đúng")
    actor = await chat.actor()
    rows = await reminder_rows(app, user_id=actor.user_id)
    assert rows[0]["due_at"] == local("2026-12-06 07:00")


async def test_past_far_and_bad_dates_are_refused_and_nothing_is_stored(
    app: App, chat: ChatDriver
) -> None:
    await chat.say("menu")
    await chat.press("đi biển")
    await chat.say("12/7/2025")
    assert "đã qua" in chat.text
    await chat.say("12/7/2028")
    assert "hơn một năm" in chat.text
    await chat.say("chưa biết nữa")
    assert "chưa đọc được ngày" in chat.text
    await chat.say("x" * 900)
    assert "chưa đọc được ngày" in chat.text
    assert await reminder_rows(app) == []


async def test_a_question_about_going_to_sea_is_not_taken(app: App, chat: ChatDriver) -> None:
    await chat.say("di bien 12/7 co can lam cccd khong")
    assert "Đúng không" not in chat.text
    await chat.say("di bien co can lam can cuoc khong")
    assert "Đúng không" not in chat.text


async def test_a_forged_confirm_changes_nothing(app: App, chat: ChatDriver) -> None:
    await chat.say("di bien den 12/7")
    confirm = chat.choice("Đúng")
    await chat.say("huy")
    await chat.press_key(confirm.key)
    assert "hết hạn" in chat.text
    assert await reminder_rows(app) == []


async def test_setting_a_new_date_replaces_the_old_reminders(
    app: App, roster: Roster, linked_chat
) -> None:
    chat = await linked_chat("ngu2", roster.sailor)
    for when in ("12/7", "20/7"):
        await chat.say(f"di bien den {when}")
        await chat.press("Đúng")
    rows = await reminder_rows(app, person_id=roster.sailor)
    assert {r["status"] for r in rows if "2027-07-12" in r["key"]} == {"cancelled"}
    assert {r["status"] for r in rows if "2027-07-20" in r["key"]} == {"scheduled"}
