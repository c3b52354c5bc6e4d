"""Communes and villages."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core.collation import sort_key
from bot.storage.tables.core import communes, villages


@dataclass(frozen=True)
class Village:
    id: int
    commune_id: int
    name: str
    is_island: bool


async def first_village(tx: AsyncConnection) -> tuple[int | None, int | None]:
    """(village id, commune id) of the first village on file, or (None, None)."""
    row = (
        await tx.execute(select(villages.c.id, villages.c.commune_id).order_by(villages.c.id))
    ).first()
    return (row[0], row[1]) if row else (None, None)


async def all_villages(tx: AsyncConnection) -> list[Village]:
    rows = await tx.execute(
        select(villages.c.id, villages.c.commune_id, villages.c.name, villages.c.is_island)
    )
    found = [Village(*row) for row in rows]
    return sorted(found, key=lambda v: (v.commune_id, sort_key(v.name)))  # Vietnamese order


async def village_ids(tx: AsyncConnection, commune_ids: Iterable[int] | None = None) -> set[int]:
    """Ids of the villages of these communes (of every commune with None), unsorted."""
    query = select(villages.c.id)
    if commune_ids is not None:
        wanted = sorted(set(commune_ids))
        if not wanted:
            return set()
        query = query.where(villages.c.commune_id.in_(wanted))
    return set((await tx.scalars(query)).all())


async def count_communes(tx: AsyncConnection) -> int:
    return int(await tx.scalar(select(func.count()).select_from(communes)) or 0)


@dataclass(frozen=True)
class Commune:
    id: int
    name: str
    province: str


async def all_communes(tx: AsyncConnection) -> list[Commune]:
    rows = await tx.execute(
        select(communes.c.id, communes.c.name, communes.c.province).order_by(communes.c.id)
    )
    return [Commune(*row) for row in rows]
