"""The team leads' morning digest: per village and boat, who comes in today still missing."""

from __future__ import annotations

from datetime import date

from bot.app import App
from bot.core.clock import FixedClock
from bot.services import reminders
from bot.services.identity import Role
from tests.reminders.conftest import Roster, local, outbox_rows


async def test_digest_lists_todays_arrivals_still_missing(
    app: App, clock: FixedClock, roster: Roster, make_chat
) -> None:
    lead = make_chat("lead")
    await lead.grant(Role.TEAM_LEAD, commune_id=roster.commune_id)
    resident = await make_chat("res").actor()
    lead_id = (await lead.actor()).user_id
    head = await make_chat("head").actor()
    async with app.db.write() as tx:
        await reminders.set_boat_return(
            tx, _admin(head), "KH-91234-TS", date(2026, 12, 3), clock.now()
        )
        await reminders.set_away(
            tx,
            user_id=resident.user_id,
            person_id=roster.sailor,
            return_on=date(2026, 12, 3),
            now=clock.now(),
        )
    clock.set(local("2026-12-03 07:00"))
    for _ in range(2):  # a second run the same morning queues nothing new
        async with app.db.write() as tx:
            await reminders.send_digests(tx, clock.now())
    digests = [row for row in await outbox_rows(app) if row["key"].startswith("digest:")]
    assert [row["user_id"] for row in digests] == [lead_id]
    text = digests[0]["text"]
    assert text.splitlines()[0] == "Về bờ hôm nay, thứ Năm, 3 tháng 12 năm 2026, và còn thiếu:"
    assert "Thôn Đầm Môn:" in text and "Tàu KH-91234-TS:" in text
    assert "Trần Văn Biển: chưa có thẻ căn cước, tài khoản định danh điện tử mức độ 2" in text
    assert "Lê Văn Sóng: chưa có tài khoản định danh điện tử mức độ 2" in text
    assert "Võ Thị Khơi" in text
    assert "Phạm Văn Đủ" not in text  # has both already

    clock.set(local("2026-12-04 07:00"))
    async with app.db.write() as tx:
        assert await reminders.send_digests(tx, clock.now()) == 0  # nobody comes in


def _admin(actor):  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from bot.services.identity import Grant

    return replace(actor, grants=(Grant(Role.ADMIN),))
