"""A small commune for booking tests: a mainland and an island village, a household, sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

import pytest
from sqlalchemy import insert

from bot.app import App
from bot.services.booking.sessions import SessionSpec, open_session
from bot.services.identity import Actor, Grant, Role
from bot.storage import booking as store
from bot.storage.tables.core import communes, households, persons, villages
from tests.driver import ChatDriver


@dataclass
class Place:
    commune_id: int
    mainland: int  # village id
    island: int
    police: int  # point id (commune police, mainland)
    border_post: int  # point id (island)
    household: list[int]  # person ids: head first


async def seed_place(app: App) -> Place:
    now = app.clock.now()
    async with app.db.write() as tx:
        commune = (
            await tx.execute(insert(communes).values(name="Vạn Thạnh", province="Khánh Hòa"))
        ).inserted_primary_key[0]
        mainland = (
            await tx.execute(insert(villages).values(commune_id=commune, name="Đầm Môn"))
        ).inserted_primary_key[0]
        island = (
            await tx.execute(
                insert(villages).values(commune_id=commune, name="Điệp Sơn", is_island=True)
            )
        ).inserted_primary_key[0]
        home = (
            await tx.execute(
                insert(households).values(
                    village_id=mainland, code="01-0001", address="12 Đầm Môn"
                )
            )
        ).inserted_primary_key[0]
        people = []
        for name, phone in (
            ("Nguyễn Văn An", "0912345678"),
            ("Trần Thị Bình", None),
            ("Nguyễn Văn Cường", None),
        ):
            people.append(
                (
                    await tx.execute(
                        insert(persons).values(
                            household_id=home, full_name=name, phone=phone, updated_at=now
                        )
                    )
                ).inserted_primary_key[0]
            )
        police = await store.insert_point(
            tx,
            commune_id=commune,
            village_id=None,
            name="Công an xã",
            address="UBND xã",
            is_island=False,
        )
        post = await store.insert_point(
            tx,
            commune_id=commune,
            village_id=island,
            name="Đồn Biên phòng",
            address="Điệp Sơn",
            is_island=True,
        )
    return Place(commune, mainland, island, police, post, people)


async def add_commune(app: App, name: str, village: str, point: str) -> tuple[int, int, int]:
    """Another commune with one village and one collection point there: their ids."""
    async with app.db.write() as tx:
        commune = (
            await tx.execute(insert(communes).values(name=name, province="Khánh Hòa"))
        ).inserted_primary_key[0]
        village_id = (
            await tx.execute(insert(villages).values(commune_id=commune, name=village))
        ).inserted_primary_key[0]
        point_id = await store.insert_point(
            tx,
            commune_id=commune,
            village_id=village_id,
            name=point,
            address=f"UBND {name}",
            is_island=False,
        )
    return commune, village_id, point_id


async def add_session(
    app: App,
    point_id: int,
    *,
    day: date | None = None,
    start: time = time(7, 0),
    end: time = time(11, 0),
    machines: int = 2,
    minutes: int = 10,
    slot_minutes: int = 30,
    is_mobile: bool = False,
    cutoff: timedelta = timedelta(0),
) -> int:
    """Open a session (tomorrow by default, local time); returns its id."""
    today = app.clock.now().date()
    spec = SessionSpec(
        point_id=point_id,
        day=day or today + timedelta(days=1),
        start=start,
        end=end,
        machines=machines,
        minutes_per_person=minutes,
        slot_minutes=slot_minutes,
        is_mobile=is_mobile,
        cutoff_before=cutoff,
    )
    async with app.db.write() as tx:
        session_id = await open_session(tx, spec, now=app.clock.now(), created_by=None)
    assert isinstance(session_id, int), session_id
    return session_id


@pytest.fixture
async def place(app: App) -> Place:
    return await seed_place(app)


async def link(chat: ChatDriver, person_id: int) -> None:
    """Link the chat's user to a roster person."""
    from bot.storage import identities

    actor = await chat.actor()
    async with chat.app.db.write() as tx:
        await identities.set_person(tx, actor.user_id, person_id)


# The commune police: may change any session (the services check the actor before writing).
ADMIN = Actor(0, 0, "console", "admin", None, None, grants=(Grant(Role.ADMIN),))
