"""A commune admin deletes data and takes roles back in their own commune; the province in all.

The known commune (Vạn Thạnh: Đầm Môn, Hòn Ông) and a second one, Ninh Hải, with Nam.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import insert, select, update

from bot.app import App
from bot.services.identity import Role
from bot.storage import identities
from bot.storage.tables.core import choices, communes, households, persons, roles, villages
from tests.driver import ChatDriver
from tests.privacy.conftest import Small


@dataclass
class Other:
    commune: int
    nam: int  # person id


@pytest.fixture
async def other(small: Small) -> Other:
    app = small.app
    async with app.db.write() as tx:

        async def add(table, **values):  # type: ignore[no-untyped-def]
            return (await tx.execute(insert(table).values(**values))).inserted_primary_key[0]

        commune = await add(communes, name="Ninh Hải", province="Khánh Hòa")
        village = await add(villages, commune_id=commune, name="Ninh Tịnh")
        home = await add(households, village_id=village, code="03-0001", address="1 Ninh Tịnh")
        nam = await add(
            persons, household_id=home, full_name="Hồ Văn Nam", updated_at=app.clock.now()
        )
    return Other(commune, nam)


async def _staff(app: App, name: str, role: Role, **scope: object) -> ChatDriver:
    chat = ChatDriver(app, name)
    await chat.grant(role, **scope)  # type: ignore[arg-type]
    return chat


async def _name(app: App, person_id: int) -> str:
    async with app.db.read() as tx:
        return str(await tx.scalar(select(persons.c.full_name).where(persons.c.id == person_id)))


async def test_typed_a_commune_admin_cannot_delete_another_communes_person(
    small: Small, other: Other
) -> None:
    app = small.app
    nam = ChatDriver(app, "nam")
    actor = await nam.actor()
    async with app.db.write() as tx:
        await identities.set_person(tx, actor.user_id, other.nam)
    await nam.say("xoá thông tin của tôi")
    assert "đã được gửi tới công an xã" in nam.text

    admin = await _staff(app, "admin", Role.ADMIN, commune_id=small.commune)
    await admin.say("/forget")
    assert "Không có yêu cầu nào" in admin.text
    await admin.say(f"/forget {other.nam}")
    assert f"Người #{other.nam} không thuộc xã bạn quản lý" in admin.text
    await admin.say(f"/forget {other.nam} người dân yêu cầu")
    assert f"Người #{other.nam} không thuộc xã bạn quản lý" in admin.text
    assert await _name(app, other.nam) == "Hồ Văn Nam"

    chief = await _staff(app, "chief", Role.ADMIN, province=True)
    await chief.say("/forget")
    assert f"người #{other.nam}" in chief.text
    await chief.say(f"/forget {other.nam} người dân yêu cầu")
    assert "Đã xoá" in chief.text
    assert await _name(app, other.nam) == f"[đã xoá #{other.nam}]"


async def _role_ids(app: App, chat: ChatDriver) -> list[int]:
    user_id = (await chat.actor()).user_id
    async with app.db.read() as tx:
        return list(
            (await tx.execute(select(roles.c.id).where(roles.c.user_id == user_id))).scalars()
        )


async def test_typed_a_commune_admin_takes_back_only_their_communes_roles(
    small: Small, other: Other
) -> None:
    app = small.app
    ours = await _staff(app, "lead-a", Role.TEAM_LEAD, commune_id=small.commune)
    theirs = await _staff(app, "lead-b", Role.TEAM_LEAD, commune_id=other.commune)
    chief = await _staff(app, "chief", Role.ADMIN, province=True)
    admin = await _staff(app, "admin", Role.ADMIN, commune_id=small.commune)

    await admin.say("thu hồi quyền")
    listed = {int(c.value) for c in admin.choices() if c.action == "privacy.revoke_pick"}
    assert listed == set(await _role_ids(app, ours))  # not Ninh Hải's lead, not the province

    # An old list pointing at the other commune's lead (forged), picked by typing.
    identity_id = (await admin.actor()).identity_id
    [their_role] = await _role_ids(app, theirs)
    async with app.db.write() as tx:
        await tx.execute(
            update(choices)
            .where(choices.c.identity_id == identity_id, choices.c.action == "privacy.revoke_pick")
            .values(value=str(their_role))
        )
    await admin.say("tổ trưởng")
    await admin.say("có, thu hồi")
    assert "nằm ngoài xã bạn quản lý" in admin.text
    assert await _role_ids(app, theirs) == [their_role]

    await chief.say("thu hồi quyền")
    listed = {int(c.value) for c in chief.choices() if c.action == "privacy.revoke_pick"}
    assert their_role in listed and set(await _role_ids(app, admin)) <= listed
