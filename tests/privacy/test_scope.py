"""Point 4: every staff button pressed after the role moved or was revoked changes no row.

Each case walks a staff member to the last step of a flow, then moves their role to another
commune or village (or takes it back), then presses the button (or types the answer) that
would write, and compares the data tables before and after.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy import delete, insert, select, update

from bot.app import App
from bot.services.booking import home_visits
from bot.services.identity import Role
from bot.storage.tables import metadata
from bot.storage.tables.core import communes, roles, villages
from tests.booking.conftest import Place, add_session
from tests.booking.test_guards import _book
from tests.driver import ChatDriver
from tests.privacy.conftest import Small

WATCHED = (
    "persons",
    "boats",
    "bookings",
    "booking_members",
    "booking_slots",
    "booking_sessions",
    "home_visits",
    "waitlist_entries",
    "broadcasts",
    "broadcast_recipients",
    "outbox",
    "reminders",
    "roster_exports",
)
Walk = Callable[[ChatDriver], Awaitable[None]]


async def snapshot(app: App) -> dict[str, list[tuple[object, ...]]]:
    found = {}
    async with app.db.read() as tx:
        for name in WATCHED:
            table = metadata.tables[name]
            found[name] = sorted(map(tuple, await tx.execute(select(table))), key=repr)
    return found


async def elsewhere(app: App) -> tuple[int, int]:
    """Another commune with one village, where roles are moved to."""
    async with app.db.write() as tx:
        commune = (
            await tx.execute(insert(communes).values(name="Ninh Hải", province="Khánh Hòa"))
        ).inserted_primary_key[0]
        village = (
            await tx.execute(insert(villages).values(commune_id=commune, name="Xóm Mới"))
        ).inserted_primary_key[0]
    return int(commune), int(village)


async def move_or_revoke(app: App, chat: ChatDriver, how: str, target: tuple[int, int]) -> None:
    user_id = (await chat.actor()).user_id
    async with app.db.write() as tx:
        if how == "revoked":
            await tx.execute(delete(roles).where(roles.c.user_id == user_id))
            return
        commune, village = target
        await tx.execute(
            update(roles)
            .where(roles.c.user_id == user_id, roles.c.village_id.is_(None))
            .values(commune_id=commune)
        )
        await tx.execute(
            update(roles)
            .where(roles.c.user_id == user_id, roles.c.village_id.is_not(None))
            .values(village_id=village, commune_id=commune)
        )


async def attempt(
    app: App, chat: ChatDriver, walk: Walk, final: str, how: str, target: tuple[int, int]
) -> None:
    await walk(chat)
    options = [c.label for c in chat.choices()]
    before = await snapshot(app)
    await move_or_revoke(app, chat, how, target)
    if final.startswith("say:"):
        await chat.say(final[4:])
    else:
        assert any(final in label for label in options), (final, options)
        key = chat.choice(final).key
        await chat.press_key(key)
    assert await snapshot(app) == before, (final, how, chat.text)


async def _desk(lead: ChatDriver) -> None:
    await lead.say("/menu")
    await lead.press("Buổi thu nhận và điểm danh")
    await lead.press("Công an xã")


async def _check_in(lead: ChatDriver) -> None:
    await _desk(lead)
    await lead.press("Điểm danh người đến")
    await lead.press("#1")


async def _cancel(lead: ChatDriver) -> None:
    await _desk(lead)
    await lead.press("Huỷ buổi thu nhận")


async def _machines(lead: ChatDriver) -> None:
    await _desk(lead)
    await lead.press("Đổi số máy")


async def _visit(lead: ChatDriver) -> None:
    await lead.say("/menu")
    await lead.press("Đề nghị làm tại nhà")
    await lead.press("#1")


BOOKING_CASES = [
    (_check_in, "Đã đến: đã nhận hồ sơ cấp thẻ căn cước"),
    (_check_in, "Không đến"),
    (_cancel, "Có, huỷ"),
    (_machines, "say:3"),
    (_visit, "Đánh dấu đã xong"),
]


@pytest.mark.parametrize("how", ["moved", "revoked"])
@pytest.mark.parametrize(("walk", "final"), BOOKING_CASES)
async def test_booking_buttons_after_the_team_lead_moved_or_lost_the_role(
    app: App, place: Place, walk: Walk, final: str, how: str
) -> None:
    await add_session(app, place.police)
    await _book(ChatDriver(app, "alice"))
    family = await ChatDriver(app, "family").actor()
    async with app.db.write() as tx:
        await home_visits.request(
            tx,
            user_id=family.user_id,
            person_id=None,
            person_name="Trần Thị Bình",
            kind="visit",
            reason="sick",
            address="12 Đầm Môn",
            phone="0912345678",
            preferred_time="",
            village_id=place.mainland,
            now=app.clock.now(),
        )
    lead = ChatDriver(app, "lead")
    await lead.grant(Role.TEAM_LEAD, commune_id=place.commune_id)
    await attempt(app, lead, walk, final, how, await elsewhere(app))


async def _mark(head: ChatDriver) -> None:
    await head.say("/missing")
    await head.press("Đánh dấu")
    await head.press("Lê Văn Dũng")
    await head.press("Trường hợp khách quan")


async def _boat(head: ChatDriver) -> None:
    await head.say("/boat KH-90001-TS 20/12")


async def _export(lead: ChatDriver) -> None:
    await lead.say("/export")
    await lead.press("Cả xã")


async def _broadcast(lead: ChatDriver) -> None:
    await lead.say("/broadcast")
    await lead.press("Tất cả các thôn")
    await lead.press("Tất cả người dân")
    await lead.say("Sáng 3/12 tổ công tác 06 làm căn cước tại nhà văn hoá thôn.")
    await lead.press("Không")


ROSTER_CASES = [
    ("head", _mark, "Đang tại ngũ"),
    ("head", _boat, "Đúng"),
    ("lead", _export, "Toàn bộ danh sách, CSV"),
    ("lead", _broadcast, "Gửi ngay"),
]


@pytest.mark.parametrize("how", ["moved", "revoked"])
@pytest.mark.parametrize(("who", "walk", "final"), ROSTER_CASES)
async def test_roster_buttons_after_the_role_moved_or_was_revoked(
    small: Small, head: ChatDriver, lead: ChatDriver, who: str, walk: Walk, final: str, how: str
) -> None:
    chat = head if who == "head" else lead
    await attempt(small.app, chat, walk, final, how, await elsewhere(small.app))
