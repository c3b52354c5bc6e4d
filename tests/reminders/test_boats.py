"""A village head sets a boat's return date for its crew; an extended trip moves everything."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from bot.app import App
from bot.core.clock import FixedClock
from bot.services import reminders
from bot.services.identity import Role
from bot.storage.tables.core import boats, persons
from tests.reminders.conftest import Roster, count_outbox, local, outbox_rows, reminder_rows


async def run(app: App) -> reminders.Fired:
    async with app.db.write() as tx:
        return await reminders.run_due(tx, app.clock.now(), reminders.Policy())


async def test_boat_date_for_the_whole_crew_then_extended(
    app: App, clock: FixedClock, roster: Roster, village_head, linked_chat
) -> None:
    sailors = [await linked_chat(f"crew{i}", p) for i, p in enumerate(roster.crew)]
    head = await village_head()
    await head.say("/boat kh-91234-ts 12/12")
    assert "thứ Bảy, 12 tháng 12 năm 2026" in head.text
    await head.press("Đúng")
    assert "3 thuyền viên" in head.text
    async with app.db.read() as tx:
        away = (
            await tx.execute(
                select(persons.c.status, persons.c.away_until).where(
                    persons.c.boat_id == roster.boat_id
                )
            )
        ).all()
        assert await tx.scalar(select(boats.c.return_on)) == date(2026, 12, 12)
    assert set(away) == {("away", date(2026, 12, 12))}

    await head.say("/boat KH-91234-TS 20/12")  # the trip is extended
    await head.press("Đúng")
    assert "12 tháng 12 năm 2026" in head.text  # "reminders for ... were moved"
    for person_id in roster.crew:
        rows = await reminder_rows(app, person_id=person_id)
        scheduled = [r["due_at"] for r in rows if r["status"] == "scheduled"]
        assert scheduled[0] == local("2026-12-20 07:00")
        assert {r["status"] for r in rows if ":2026-12-12:" in r["key"]} == {"cancelled"}

    clock.set(local("2026-12-12 07:00"))
    await run(app)
    assert await count_outbox(app) == 0  # the old date sends nothing
    clock.set(local("2026-12-20 07:00"))
    await run(app)
    sent_to = {row["user_id"] for row in await outbox_rows(app)}
    linked = [(await chat.actor()).user_id for chat in sailors]
    assert sent_to == set(linked[:2])  # the third already has both: nothing to remind


async def test_guided_flow_and_wrong_boats(app: App, roster: Roster, village_head, make_chat):
    head = await village_head()
    await head.say("menu")
    await head.press("Đặt ngày về bờ")
    await head.say("ABC")
    assert "chưa đúng" in head.text
    await head.say("KH-00000-TS")
    assert "Không có tàu" in head.text
    await head.say("KH 91234 TS")
    await head.say("ram")
    assert "rằm tháng 11 âm lịch" in head.text
    await head.press("Đúng")
    assert "3 thuyền viên" in head.text

    other = make_chat("other-head")
    await other.grant(Role.VILLAGE_HEAD, village_id=roster.other_village_id)
    await other.say("/boat KH-91234-TS 12/12")
    assert "Không có tàu nào" in other.text  # the same answer as for a boat that does not exist
    resident = make_chat("resident")
    await resident.say("/boat KH-91234-TS 12/12")
    assert "không có quyền" in resident.text.lower() or "quyền" in resident.text
