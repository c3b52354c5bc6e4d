"""People and households written by the import's storage, on each engine (COPY on PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import exc, insert, select

from bot.storage import roster as store
from bot.storage.tables.core import persons
from tests.roster.conftest import Small, count_people

WHEN = datetime(2026, 11, 30, 8, 15, tzinfo=UTC)


def new_person(small: Small, household_id: int, name: str, **values: object) -> dict[str, object]:
    return {
        "household_id": household_id,
        "full_name": name,
        "birth_date": None,
        "birth_year": None,
        "sex": None,
        "phone": None,
        "boat_id": None,
        "has_id_card": False,
        "has_eid_level2": False,
        "note": "",
        "id_number": None,
        "updated_at": WHEN,
        "village_id": small.dam_mon,
        **values,
    }


async def test_people_are_stored_with_their_values(small: Small) -> None:
    async with small.app.db.write() as tx:
        [household_id] = (await store.household_ids(tx, {(small.dam_mon, "H90")})).values()
        await store.insert_people(
            tx,
            [
                new_person(
                    small,
                    household_id,
                    "Lê Thị Mới",
                    birth_date=date(1990, 2, 3),
                    birth_year=1990,
                    sex="F",
                    phone="0905123456",
                    has_id_card=True,
                    note="ở đảo",
                    id_number="056190000123",
                ),
                new_person(small, household_id, "Lê Văn Nhỏ"),
            ],
        )
    async with small.app.db.read() as tx:
        rows = (
            await tx.execute(
                select(persons)
                .where(persons.c.household_id == household_id)
                .order_by(persons.c.id)
            )
        ).mappings()
        stored = [dict(row) for row in rows]
    assert [row["full_name"] for row in stored] == ["Lê Thị Mới", "Lê Văn Nhỏ"]
    first, second = stored
    assert (first["birth_date"], first["birth_year"], first["sex"]) == (
        date(1990, 2, 3),
        1990,
        "F",
    )
    assert (first["phone"], first["id_number"], first["note"]) == (
        "0905123456",
        "056190000123",
        "ở đảo",
    )
    assert (first["has_id_card"], first["has_eid_level2"]) == (True, False)
    assert first["updated_at"] == WHEN  # read back in UTC, as written
    assert (second["status"], second["birth_date"], second["note"]) == ("present", None, "")
    assert first["village_id"] == second["village_id"] == small.dam_mon


async def test_a_household_is_found_again_not_made_twice(small: Small) -> None:
    wanted = {(small.dam_mon, "H91"), (small.hon_ong, "H91")}
    async with small.app.db.write() as tx:
        made = await store.household_ids(tx, wanted)
        again = await store.household_ids(tx, wanted | {(small.dam_mon, "H7")}, create=False)
    assert set(made) == wanted and len(set(made.values())) == 2
    assert {key: again[key] for key in wanted} == made


async def test_a_refused_batch_of_people_leaves_nothing(small: Small) -> None:
    before = await count_people(small.app)
    async with small.app.db.write() as tx:
        [household_id] = (await store.household_ids(tx, {(small.dam_mon, "H92")})).values()
    rows = [
        new_person(small, household_id, "Trần Văn Một", id_number="056190000999"),
        new_person(small, household_id, "Trần Văn Hai", id_number="056190000999"),  # the same
    ]
    with pytest.raises(exc.DBAPIError):
        async with small.app.db.write() as tx:
            await store.insert_people(tx, rows)
    assert await count_people(small.app) == before


async def test_a_persons_village_is_filled_in_when_not_given_also_after_a_bulk_insert(
    small: Small,
) -> None:
    async with small.app.db.write() as tx:
        [household_id] = (await store.household_ids(tx, {(small.hon_ong, "H93")})).values()
        await store.insert_people(
            tx, [new_person(small, household_id, "Có Thôn", village_id=small.hon_ong)]
        )
    async with small.app.db.write() as tx:  # the trigger that fills it in is there again
        await store.insert_people(
            tx, [new_person(small, household_id, "Không Thôn", village_id=None)]
        )
    async with small.app.db.read() as tx:
        stored = dict(
            (
                await tx.execute(
                    select(persons.c.full_name, persons.c.village_id).where(
                        persons.c.household_id == household_id
                    )
                )
            ).all()
        )
    assert stored == {"Có Thôn": small.hon_ong, "Không Thôn": small.hon_ong}


async def test_a_bulk_insert_stores_what_sqlalchemys_own_insert_stores(small: Small) -> None:
    async with small.app.db.write() as tx:
        [household_id] = (await store.household_ids(tx, {(small.dam_mon, "H94")})).values()
        person = new_person(small, household_id, "Đinh Văn Bằng", birth_date=date(1980, 1, 2))
        await tx.execute(insert(persons).values(person))
        await store.insert_people(tx, [person])
    async with small.app.db.read() as tx:  # as stored: no type's processing on the way out
        stored = (
            await tx.exec_driver_sql(
                "SELECT birth_date, updated_at, has_id_card FROM persons WHERE household_id = "
                f"{household_id}"
            )
        ).all()
    assert len(stored) == 2 and stored[0] == stored[1]
