"""A commune admin manages their own commune's sessions and points; a province admin all.

Two communes share the database: Vạn Thạnh (the `place` fixture) and Ninh Hải, with its own
village, collection point and session.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bot.app import App
from bot.services.booking import sessions
from bot.services.identity import Role
from bot.storage import booking as store
from tests.booking.conftest import Place, add_commune, add_session
from tests.driver import ChatDriver, forge_choices


@dataclass
class Other:
    """The second commune: its village, point and session."""

    commune_id: int
    village_id: int
    point_id: int
    session_id: int


@pytest.fixture
async def other(app: App, place: Place) -> Other:
    commune, village, point = await add_commune(
        app, "Ninh Hải", "Ninh Tịnh", "Công an xã Ninh Hải"
    )
    return Other(commune, village, point, await add_session(app, point))


async def _staff(app: App, name: str, role: Role, **scope: object) -> ChatDriver:
    chat = ChatDriver(app, name)
    await chat.grant(role, **scope)  # type: ignore[arg-type]
    return chat


async def test_a_commune_admin_manages_only_their_communes_sessions_and_points(
    app: App, place: Place, other: Other
) -> None:
    ours = await add_session(app, place.police)
    admin = await (await _staff(app, "admin", Role.ADMIN, commune_id=place.commune_id)).actor()
    lead = await (await _staff(app, "lead", Role.TEAM_LEAD, commune_id=place.commune_id)).actor()
    chief = await (await _staff(app, "chief", Role.ADMIN, province=True)).actor()
    now = app.clock.now()
    async with app.db.read() as tx:
        for actor in (admin, lead):  # the commune admin and the team lead alike
            assert [s.id for s in await sessions.managed_sessions(tx, actor, now)] == [ours]
            assert {p.id for p in await sessions.points_for(tx, actor)} == {
                place.police,
                place.border_post,
            }
            assert {v.id for v in await sessions.villages_for(tx, actor)} == {
                place.mainland,
                place.island,
            }
            assert not sessions.may_manage(actor, other.commune_id)
            assert sessions.may_manage(actor, place.commune_id)
        assert {s.id for s in await sessions.managed_sessions(tx, chief, now)} == {
            ours,
            other.session_id,
        }
        assert other.point_id in {p.id for p in await sessions.points_for(tx, chief)}
        assert other.village_id in {v.id for v in await sessions.villages_for(tx, chief)}
        assert sessions.may_manage(chief, other.commune_id)


async def test_a_commune_admin_cannot_change_another_communes_session(
    app: App, place: Place, other: Other
) -> None:
    admin = await (await _staff(app, "admin", Role.ADMIN, commune_id=place.commune_id)).actor()
    async with app.db.write() as tx:
        resized = await sessions.set_machines(
            tx, admin, other.session_id, machines=5, now=app.clock.now()
        )
        added = await sessions.add_point(
            tx, admin, name="Nhà văn hóa", village_id=other.village_id, address="Ninh Tịnh"
        )
    assert resized is sessions.SessionError.NOT_ALLOWED
    assert added is sessions.SessionError.NOT_ALLOWED


async def test_typed_a_commune_admin_sees_and_acts_on_their_commune_only(
    app: App, place: Place, other: Other
) -> None:
    """Typed words only: the lists leave the other commune out, a stale pick is refused."""
    ours = await add_session(app, place.police)
    admin = await _staff(app, "admin", Role.ADMIN, commune_id=place.commune_id)
    await admin.say("/menu")
    await admin.say("buổi thu nhận và điểm danh")
    assert "Công an xã" in admin.text or any("Công an xã" in c.label for c in admin.choices())
    listed = admin.text + " ".join(c.label for c in admin.choices())
    assert "Ninh Hải" not in listed
    assert [c.value for c in admin.choices() if c.action == "booking.manage"] == [str(ours)]

    await admin.say("/menu")
    await admin.say("mở buổi")
    offered = " ".join(c.label for c in admin.choices())
    assert "Đồn Biên phòng" in offered and "Ninh Hải" not in offered
    me = (await admin.actor()).identity_id
    await forge_choices(app, me, "booking.new_point", other.point_id)  # an old list, typed
    await admin.say("đồn biên phòng")
    assert "Bạn không quản lý buổi thu nhận ở đó." in admin.text
    assert "Ninh Hải" not in admin.text + " ".join(c.label for c in admin.choices())

    # An old list that still named the other commune's session (forged), picked by typing.
    await admin.say("/menu")
    await admin.say("buổi thu nhận và điểm danh")
    await forge_choices(app, me, "booking.manage", other.session_id)
    await admin.say("công an xã")
    assert "Bạn không quản lý buổi thu nhận ở đó." in admin.text
    async with app.db.read() as tx:
        found = await store.session(tx, other.session_id, app.clock.now())
    assert found is not None and found.status == "open"
