"""Roster reads and marks: who is missing, counts per village, export rows, the export log.

Lists and counts read persons by village (persons.village_id, a copy of the household's kept
by a trigger) through the covering index ix_persons_village: one index range per village,
so their cost follows the size of the villages asked for, not of the province.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    exists,
    func,
    insert,
    not_,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core.collation import sort_key
from bot.storage.tables.core import boats, communes, households, persons, villages
from bot.storage.tables.roster import roster_exports

COUNTED = ("present", "away")  # moved and exempt people leave the denominator


@dataclass(frozen=True)
class Rule:
    """Which people a list or a count takes.

    `born_by`: the latest birth year counted (people too young for a card are left out;
    an unknown year counts). `need`: "any" (no card or no level 2), "card" or "level2".
    """

    born_by: int
    need: str = "any"
    at_sea_on: date | None = None  # only people away, or on a boat not back by then
    born_before: int | None = None  # only people born in or before this year

    def condition(self) -> ColumnElement[bool]:
        p = persons.c
        lacking = {
            "card": not_(p.has_id_card),
            "level2": not_(p.has_eid_level2),
        }.get(self.need, or_(not_(p.has_id_card), not_(p.has_eid_level2)))
        terms = [
            p.status.in_(COUNTED),
            or_(p.birth_year.is_(None), p.birth_year <= self.born_by),
            lacking,
        ]
        if self.at_sea_on is not None:
            at_sea_boats = select(boats.c.id).where(boats.c.return_on >= self.at_sea_on)
            terms.append(or_(p.status == "away", p.boat_id.in_(at_sea_boats)))
        if self.born_before is not None:
            terms.append(p.birth_year <= self.born_before)
        return and_(*terms)


@dataclass(frozen=True)
class VillageInfo:
    village_id: int
    name: str
    commune_id: int
    commune: str
    target_share: int | None  # per mille


@dataclass(frozen=True)
class HouseholdRow:
    household_id: int
    code: str
    address: str


@dataclass(frozen=True)
class MissingPerson:
    person_id: int
    household_id: int
    full_name: str
    birth_year: int | None
    phone: str | None
    has_id_card: bool
    has_eid_level2: bool
    status: str
    away_until: date | None
    boat: str | None
    boat_return_on: date | None


@dataclass(frozen=True)
class VillageCount:
    """One village's people: all, by status, and among the counted ones."""

    village_id: int
    total: int
    away: int
    moved: int
    exempt: int
    counted: int  # present or away, and old enough
    with_card: int
    with_level2: int


@dataclass(frozen=True)
class PersonPlace:
    person_id: int
    full_name: str
    village_id: int
    status: str


async def village_info(tx: AsyncConnection, village_ids: Iterable[int]) -> list[VillageInfo]:
    """Names and targets of these villages, by commune then village name (Vietnamese order)."""
    ids = sorted(set(village_ids))
    if not ids:
        return []
    rows = await tx.execute(
        select(
            villages.c.id,
            villages.c.name,
            communes.c.id,
            communes.c.name,
            communes.c.target_share,
        )
        .join(communes, communes.c.id == villages.c.commune_id)
        .where(villages.c.id.in_(ids))
    )
    found = [VillageInfo(*row) for row in rows]
    return sorted(found, key=lambda v: (sort_key(v.commune), v.commune_id, sort_key(v.name)))


async def count_missing(tx: AsyncConnection, village_id: int, rule: Rule) -> tuple[int, int]:
    """(households, people) in the village that the rule takes."""
    row = (
        await tx.execute(
            select(func.count(func.distinct(persons.c.household_id)), func.count()).where(
                persons.c.village_id == village_id, rule.condition()
            )
        )
    ).one()
    return int(row[0]), int(row[1])


async def missing_households(
    tx: AsyncConnection, village_id: int, rule: Rule, limit: int, offset: int
) -> list[HouseholdRow]:
    """One page of the village's households with someone the rule takes, in roster order."""
    someone = exists().where(persons.c.household_id == households.c.id, rule.condition())
    rows = await tx.execute(
        select(households.c.id, households.c.code, households.c.address)
        .where(households.c.village_id == village_id, someone)
        .order_by(households.c.id)
        .limit(limit)
        .offset(offset)
    )
    return [HouseholdRow(*row) for row in rows]


async def missing_people(
    tx: AsyncConnection, household_ids: Sequence[int], rule: Rule
) -> list[MissingPerson]:
    """The people of these households that the rule takes, household by household."""
    if not household_ids:
        return []
    p = persons.c
    rows = await tx.execute(
        select(
            p.id,
            p.household_id,
            p.full_name,
            p.birth_year,
            p.phone,
            p.has_id_card,
            p.has_eid_level2,
            p.status,
            p.away_until,
            boats.c.registration,
            boats.c.return_on,
        )
        .select_from(persons.outerjoin(boats, boats.c.id == p.boat_id))
        .where(p.household_id.in_(list(household_ids)), rule.condition())
        .order_by(p.household_id, p.id)
    )
    return [MissingPerson(*row) for row in rows]


async def counts(
    tx: AsyncConnection, village_ids: Iterable[int], born_by: int
) -> list[VillageCount]:
    """Counts per village in one pass over the covering index ix_persons_village."""
    ids = sorted(set(village_ids))
    if not ids:
        return []
    p = persons.c
    counted = and_(p.status.in_(COUNTED), or_(p.birth_year.is_(None), p.birth_year <= born_by))
    rows = await tx.execute(
        select(
            p.village_id,
            func.count(),
            func.count().filter(p.status == "away"),
            func.count().filter(p.status == "moved"),
            func.count().filter(p.status == "exempt"),
            func.count().filter(counted),
            func.count().filter(and_(counted, p.has_id_card)),
            func.count().filter(and_(counted, p.has_eid_level2)),
        )
        .where(p.village_id.in_(ids))
        .group_by(p.village_id)
    )
    return [VillageCount(*(int(v) for v in row)) for row in rows]


async def person_place(tx: AsyncConnection, person_id: int) -> PersonPlace | None:
    row = (
        await tx.execute(
            select(persons.c.id, persons.c.full_name, households.c.village_id, persons.c.status)
            .join(households, households.c.id == persons.c.household_id)
            .where(persons.c.id == person_id)
        )
    ).first()
    return PersonPlace(*row) if row else None


async def set_status(
    tx: AsyncConnection,
    person_id: int,
    *,
    status: str,
    away_until: date | None,
    exempt_reason: str | None,
    now: datetime,
) -> None:
    await tx.execute(
        update(persons)
        .where(persons.c.id == person_id)
        .values(status=status, away_until=away_until, exempt_reason=exempt_reason, updated_at=now)
    )


async def export_rows(
    tx: AsyncConnection, village_ids: Iterable[int], rule: Rule | None, limit: int | None = None
) -> list[tuple[Any, ...]]:
    """Everyone (or, with a rule, those it takes) in these villages, in roster order.

    Columns: commune, village, household, full name, birth date, birth year, sex, phone,
    boat, card, level 2, note, status, away until, exempt reason.
    """
    ids = sorted(set(village_ids))
    if not ids:
        return []
    p = persons.c
    query = (
        select(
            communes.c.name,
            villages.c.name,
            households.c.code,
            p.full_name,
            p.birth_date,
            p.birth_year,
            p.sex,
            p.phone,
            boats.c.registration,
            p.has_id_card,
            p.has_eid_level2,
            p.note,
            p.status,
            p.away_until,
            p.exempt_reason,
        )
        .select_from(
            persons.join(households, households.c.id == p.household_id)
            .join(villages, villages.c.id == households.c.village_id)
            .join(communes, communes.c.id == villages.c.commune_id)
            .outerjoin(boats, boats.c.id == p.boat_id)
        )
        .where(households.c.village_id.in_(ids))
        .order_by(communes.c.name, villages.c.name, households.c.id, p.id)
    )
    if rule is not None:
        query = query.where(rule.condition())
    if limit is not None:
        query = query.limit(limit)
    return [tuple(row) for row in await tx.execute(query)]


async def log_export(
    tx: AsyncConnection,
    *,
    user_id: int,
    village_ids: Iterable[int],
    subset: str,
    fmt: str,
    rows: int,
    now: datetime,
) -> int:
    result = await tx.execute(
        insert(roster_exports).values(
            user_id=user_id,
            created_at=now,
            village_ids=sorted(set(village_ids)),
            subset=subset,
            format=fmt,
            rows=rows,
        )
    )
    return int(result.inserted_primary_key[0])


@dataclass(frozen=True)
class ExportLogRow:
    user_id: int
    created_at: datetime
    village_ids: list[int]
    subset: str
    format: str
    rows: int


async def export_log(tx: AsyncConnection, limit: int = 100) -> list[ExportLogRow]:
    """The latest exports, newest first."""
    rows = await tx.execute(
        select(
            roster_exports.c.user_id,
            roster_exports.c.created_at,
            roster_exports.c.village_ids,
            roster_exports.c.subset,
            roster_exports.c.format,
            roster_exports.c.rows,
        )
        .order_by(roster_exports.c.id.desc())
        .limit(limit)
    )
    return [ExportLogRow(*row) for row in rows]
