"""SQL for booking: the people a booking is for: household members and homes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.tables.core import households, persons, users, villages

# --- people and places ------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    person_id: int
    full_name: str
    has_id_card: bool
    has_eid_level2: bool
    birth_year: int | None = None
    birth_date: date | None = None


async def household_members(tx: AsyncConnection, person_id: int) -> list[Member]:
    """Everyone on the roster in the person's household who still lives there."""
    household = select(persons.c.household_id).where(persons.c.id == person_id).scalar_subquery()
    rows = await tx.execute(
        select(
            persons.c.id,
            persons.c.full_name,
            persons.c.has_id_card,
            persons.c.has_eid_level2,
            persons.c.birth_year,
            persons.c.birth_date,
        )
        .where(
            persons.c.household_id == household,
            persons.c.status.in_(("present", "away")),
        )
        .order_by(persons.c.id)
    )
    return [Member(*row) for row in rows]


@dataclass(frozen=True)
class Home:
    village_id: int
    village_name: str
    is_island: bool
    address: str
    full_name: str
    phone: str | None


async def home_of(tx: AsyncConnection, person_id: int) -> Home | None:
    row = (
        await tx.execute(
            select(
                villages.c.id,
                villages.c.name,
                villages.c.is_island,
                households.c.address,
                persons.c.full_name,
                persons.c.phone,
            )
            .join(households, households.c.id == persons.c.household_id)
            .join(villages, villages.c.id == households.c.village_id)
            .where(persons.c.id == person_id)
        )
    ).first()
    return Home(*row) if row else None


async def village_is_island(tx: AsyncConnection, village_id: int) -> bool | None:
    value = await tx.scalar(select(villages.c.is_island).where(villages.c.id == village_id))
    return None if value is None else bool(value)


async def person_of_user(tx: AsyncConnection, user_id: int) -> int | None:
    return await tx.scalar(select(users.c.person_id).where(users.c.id == user_id))


async def names_of_users(tx: AsyncConnection, user_ids: Sequence[int]) -> dict[int, str]:
    """The roster name of each chat user linked to one."""
    if not user_ids:
        return {}
    rows = await tx.execute(
        select(users.c.id, persons.c.full_name)
        .join(persons, persons.c.id == users.c.person_id)
        .where(users.c.id.in_(list(user_ids)))
    )
    return {user_id: name for user_id, name in rows}


@dataclass(frozen=True)
class Resident:
    person_id: int
    full_name: str
    birth_year: int | None
    village_name: str


async def commune_residents(tx: AsyncConnection, commune_id: int) -> list[Resident]:
    """Everyone living in the commune (present or away), for a name search at the desk."""
    rows = await tx.execute(
        select(persons.c.id, persons.c.full_name, persons.c.birth_year, villages.c.name)
        .join(households, households.c.id == persons.c.household_id)
        .join(villages, villages.c.id == households.c.village_id)
        .where(villages.c.commune_id == commune_id, persons.c.status.in_(("present", "away")))
        .order_by(persons.c.id)
    )
    return [Resident(*row) for row in rows]
