"""Boats coming in today, on demand: who on them is still missing, within the asker's villages."""

from __future__ import annotations

from datetime import date

from bot.app import App
from bot.core.clock import FixedClock
from bot.services import reminders
from bot.services.identity import Role
from tests.driver import ChatDriver
from tests.reminders.conftest import Roster, local


async def _boat_back_on(app: App, clock: FixedClock, day: date) -> None:
    from dataclasses import replace

    from bot.services.identity import Grant

    admin = replace(await ChatDriver(app, "admin").actor(), grants=(Grant(Role.ADMIN),))
    async with app.db.write() as tx:
        await reminders.set_boat_return(tx, admin, "KH-91234-TS", day, clock.now())


async def test_team_lead_sees_todays_crew_still_missing(
    app: App, clock: FixedClock, roster: Roster
) -> None:
    await _boat_back_on(app, clock, date(2026, 12, 3))
    lead = ChatDriver(app, "lead")
    await lead.grant(Role.TEAM_LEAD, commune_id=roster.commune_id)
    clock.set(local("2026-12-03 09:00"))

    text = (await lead.say("/today"))[0].text

    assert "Tàu KH-91234-TS:" in text
    assert "Trần Văn Biển" in text and "Lê Văn Sóng" in text
    assert "Phạm Văn Đủ" not in text  # has both already


async def test_village_head_of_another_village_sees_nobody(
    app: App, clock: FixedClock, roster: Roster
) -> None:
    await _boat_back_on(app, clock, date(2026, 12, 3))
    head = ChatDriver(app, "other-head")
    await head.grant(Role.VILLAGE_HEAD, village_id=roster.other_village_id)
    clock.set(local("2026-12-03 09:00"))

    await head.say("/menu")
    replies = await head.press("Tàu về bờ hôm nay")

    assert "Trần Văn Biển" not in replies[0].text
    assert "không có ai" in replies[0].text


async def test_residents_cannot_ask(app: App, roster: Roster) -> None:
    replies = await ChatDriver(app, "resident").say("/today")
    assert "không có quyền" in replies[0].text
