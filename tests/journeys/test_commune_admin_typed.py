"""A commune admin on a province database, typing on the console and on Zalo: the other
commune's sessions, points and notices are neither shown nor reachable, with a Vietnamese
answer."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import insert

from bot.app import App
from bot.services import broadcast
from bot.services.broadcast import Audience, AudienceKind
from bot.services.identity import Role
from bot.storage import booking as store
from bot.storage import broadcast as broadcast_store
from bot.storage import places
from bot.storage.tables.core import households, persons
from tests.booking.conftest import add_commune, add_session
from tests.driver import ChatDriver, forge_choices
from tests.journeys.conftest import Typist
from tests.journeys.drivers import actor_of, grant

REFUSED = "Bạn không quản lý buổi thu nhận ở đó."


async def _other_commune(app: App) -> tuple[int, int, int]:
    """Vạn Hưng beside the demo commune: its point, a session there tomorrow, a notice."""
    commune, village, point = await add_commune(app, "Vạn Hưng", "Xuân Tự", "Công an xã Vạn Hưng")
    async with app.db.write() as tx:
        home = (
            await tx.execute(
                insert(households).values(village_id=village, code="09-0001", address="Xuân Tự")
            )
        ).inserted_primary_key[0]
        await tx.execute(
            insert(persons).values(
                household_id=home, full_name="Hồ Văn Nam", updated_at=app.clock.now()
            )
        )
    lead = ChatDriver(app, "lead-van-hung")
    await lead.grant(Role.TEAM_LEAD, commune_id=commune)
    return point, await add_session(app, point), await _notice(app, lead, village)


async def _notice(app: App, author: ChatDriver, village: int) -> int:
    """A notice to the village, going out in three hours."""
    actor = await author.actor()
    async with app.db.write() as tx:
        created = await broadcast.create(
            tx,
            actor,
            audience=Audience(village_ids=[village], kind=AudienceKind.ALL),
            text="Mời bà con làm căn cước",
            with_replies=False,
            scheduled_at=app.clock.now() + timedelta(hours=3),
            now=app.clock.now(),
        )
    return created.broadcast_id


async def _forge(person: Typist, action: str, value: int) -> None:
    identity_id = (await actor_of(person)).identity_id  # type: ignore[arg-type]
    await forge_choices(person.app, identity_id, action, value)


async def test_a_commune_admin_types_only_into_their_commune(person: Typist) -> None:
    point, session, _notice_id = await _other_commune(person.app)
    await grant(person, Role.ADMIN, commune_id=1)  # type: ignore[arg-type]
    await person.say("/menu")
    listed = await person.say("điểm danh")
    assert "Vạn Hưng" not in listed and "Khải Lương" in listed
    await _forge(person, "booking.manage", session)
    assert REFUSED in await person.say("thứ 4 sáng")

    await person.say("/menu")
    offered = await person.say("mở buổi")
    assert "Vạn Hưng" not in offered
    await _forge(person, "booking.new_point", point)
    answer = await person.say("khải lương")
    assert REFUSED in answer and "Vạn Hưng" not in answer
    async with person.app.db.read() as tx:
        found = await store.session(tx, session, person.app.clock.now())
    assert found is not None and found.status == "open" and found.machines == 2


async def test_a_commune_admin_types_for_their_communes_notices_only(person: Typist) -> None:
    _point, _session, theirs = await _other_commune(person.app)
    await grant(person, Role.ADMIN, commune_id=1)  # type: ignore[arg-type]
    assert "Chưa có thông báo nào." in await person.say("/broadcast_status")

    lead = ChatDriver(person.app, "lead-van-thanh")
    await lead.grant(Role.TEAM_LEAD, commune_id=1)
    async with person.app.db.read() as tx:
        [hon_ong] = [v.id for v in await places.all_villages(tx) if v.name == "Hòn Ông"]
    await _notice(person.app, lead, hon_ong)
    listed = await person.say("/broadcast_status")
    assert listed.count("Mời bà con làm căn cước") == 1  # theirs, not the other commune's
    await _forge(person, "broadcast.file", theirs)  # an old list naming the other notice
    answer = await person.say("danh sách chưa nhận")
    assert "Bạn không xem được thông báo này." in answer and "Hồ Văn Nam" not in answer
    async with person.app.db.read() as tx:
        still = await broadcast_store.find(tx, theirs)
    assert still is not None and still.status == "scheduled"
