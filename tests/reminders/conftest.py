"""A small roster for reminder tests: one commune, two villages, a boat with its crew."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import pytest
from sqlalchemy import func, insert, select

from bot.app import App
from bot.services.identity import Role
from bot.storage import identities
from bot.storage.tables.core import boats, communes, households, outbox, persons, villages
from bot.storage.tables.reminders import reminders
from tests.driver import ChatDriver


@dataclass(frozen=True)
class Roster:
    commune_id: int
    village_id: int
    other_village_id: int
    boat_id: int
    crew: tuple[int, ...]  # person ids; the first two are missing something
    sailor: int  # a person not on a boat, missing both


async def _add(tx, table, **values) -> int:  # type: ignore[no-untyped-def]
    return (await tx.execute(insert(table).values(**values))).inserted_primary_key[0]


@pytest.fixture
async def roster(app: App) -> Roster:
    async with app.db.write() as tx:
        commune = await _add(tx, communes, name="Vạn Thạnh", province="Khánh Hòa")
        village = await _add(tx, villages, commune_id=commune, name="Đầm Môn")
        other = await _add(tx, villages, commune_id=commune, name="Khải Lương")
        house = await _add(tx, households, village_id=village, code="H1")
        boat = await _add(tx, boats, registration="KH-91234-TS", village_id=village)
        crew = []
        for name, card, eid in (
            ("Trần Văn Biển", False, False),
            ("Lê Văn Sóng", True, False),
            ("Phạm Văn Đủ", True, True),
        ):
            crew.append(
                await _add(
                    tx,
                    persons,
                    household_id=house,
                    full_name=name,
                    boat_id=boat,
                    has_id_card=card,
                    has_eid_level2=eid,
                )
            )
        sailor = await _add(tx, persons, household_id=house, full_name="Võ Thị Khơi")
    return Roster(commune, village, other, boat, tuple(crew), sailor)


@pytest.fixture
def linked_chat(app: App, make_chat: Callable[..., ChatDriver]) -> Callable:
    """A chat whose user is linked to a roster person."""

    async def make(user: str, person_id: int) -> ChatDriver:
        chat = make_chat(user)
        actor = await chat.actor()
        async with app.db.write() as tx:
            await identities.set_person(tx, actor.user_id, person_id)
        return chat

    return make


@pytest.fixture
def village_head(make_chat: Callable[..., ChatDriver], roster: Roster) -> Callable:
    async def make(user: str = "head") -> ChatDriver:
        chat = make_chat(user)
        await chat.grant(Role.VILLAGE_HEAD, village_id=roster.village_id)
        return chat

    return make


async def reminder_rows(app: App, **where: object) -> list[dict]:
    async with app.db.read() as tx:
        query = select(reminders).order_by(reminders.c.due_at, reminders.c.id)
        for column, value in where.items():
            query = query.where(reminders.c[column] == value)
        return [dict(row._mapping) for row in await tx.execute(query)]


async def outbox_rows(app: App) -> list[dict]:
    async with app.db.read() as tx:
        rows = await tx.execute(select(outbox).order_by(outbox.c.id))
        return [dict(row._mapping) for row in rows]


async def count_outbox(app: App) -> int:
    async with app.db.read() as tx:
        return int(await tx.scalar(select(func.count()).select_from(outbox)) or 0)


def local(text: str) -> datetime:
    """ "2027-07-12 07:00" in Asia/Ho_Chi_Minh, as an aware datetime."""
    from bot.core.i18n import LOCAL_TZ

    return datetime.fromisoformat(text).replace(tzinfo=LOCAL_TZ)
