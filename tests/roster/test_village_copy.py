"""Persons carry their household's village (a copy the database keeps), whoever writes them."""

from __future__ import annotations

from sqlalchemy import insert, select, update

from bot.storage import roster_queries
from bot.storage.tables.core import households, persons
from tests.roster.conftest import Small, person

BORN_BY = 2012


async def _counted(small: Small) -> dict[int, int]:
    async with small.app.db.read() as tx:
        rows = await roster_queries.counts(tx, [small.dam_mon, small.hon_ong], BORN_BY)
    return {row.village_id: row.total for row in rows}


async def test_imported_people_carry_their_village(small: Small) -> None:
    assert (await person(small.app, "Phạm Văn Em"))["village_id"] == small.hon_ong
    assert (await person(small.app, "Nguyễn Văn An"))["village_id"] == small.dam_mon
    assert await _counted(small) == {small.dam_mon: 5, small.hon_ong: 2}


async def test_a_person_written_without_the_village_gets_it(small: Small) -> None:
    async with small.app.db.write() as tx:
        household = await tx.scalar(
            select(households.c.id).where(households.c.village_id == small.hon_ong).limit(1)
        )
        await tx.execute(insert(persons).values(household_id=household, full_name="Mới Đến"))
    assert (await person(small.app, "Mới Đến"))["village_id"] == small.hon_ong
    assert await _counted(small) == {small.dam_mon: 5, small.hon_ong: 3}


async def test_moving_household_moves_the_village(small: Small) -> None:
    an = await person(small.app, "Nguyễn Văn An")
    async with small.app.db.write() as tx:
        household = await tx.scalar(
            select(households.c.id).where(households.c.village_id == small.hon_ong).limit(1)
        )
        await tx.execute(
            update(persons).where(persons.c.id == an["id"]).values(household_id=household)
        )
        # A wrong copy written by hand is put right too.
        await tx.execute(
            update(persons)
            .where(persons.c.full_name == "Lê Văn Dũng")
            .values(village_id=small.hon_ong)
        )
    assert (await person(small.app, "Nguyễn Văn An"))["village_id"] == small.hon_ong
    assert (await person(small.app, "Lê Văn Dũng"))["village_id"] == small.dam_mon
    assert await _counted(small) == {small.dam_mon: 4, small.hon_ong: 3}
