"""SQL for booking: collection points and the lookups by place."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core.collation import sort_key
from bot.storage.tables.booking import (
    booking_sessions,
    collection_points,
)

# --- points -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    id: int
    commune_id: int
    village_id: int | None
    name: str
    address: str
    is_island: bool


_POINT_COLS = (
    collection_points.c.id,
    collection_points.c.commune_id,
    collection_points.c.village_id,
    collection_points.c.name,
    collection_points.c.address,
    collection_points.c.is_island,
)


async def points(tx: AsyncConnection, commune_ids: Iterable[int] | None = None) -> list[Point]:
    query = select(*_POINT_COLS)
    if commune_ids is not None:
        query = query.where(collection_points.c.commune_id.in_(list(commune_ids)))
    found = [Point(*row) for row in await tx.execute(query)]
    return sorted(found, key=lambda p: sort_key(p.name))  # Vietnamese order


async def point(tx: AsyncConnection, point_id: int) -> Point | None:
    row = (
        await tx.execute(select(*_POINT_COLS).where(collection_points.c.id == point_id))
    ).first()
    return Point(*row) if row else None


async def point_by_name(tx: AsyncConnection, commune_id: int, name: str) -> Point | None:
    row = (
        await tx.execute(
            select(*_POINT_COLS).where(
                collection_points.c.commune_id == commune_id, collection_points.c.name == name
            )
        )
    ).first()
    return Point(*row) if row else None


async def insert_point(
    tx: AsyncConnection,
    *,
    commune_id: int,
    village_id: int | None,
    name: str,
    address: str,
    is_island: bool,
) -> int:
    result = await tx.execute(
        insert(collection_points).values(
            commune_id=commune_id,
            village_id=village_id,
            name=name,
            address=address,
            is_island=is_island,
        )
    )
    return int(result.inserted_primary_key[0])  # type: ignore[index]


async def session_at(tx: AsyncConnection, point_id: int, starts_at: datetime) -> int | None:
    """The open session at this point starting at this time, if any."""
    return await tx.scalar(
        select(booking_sessions.c.id).where(
            booking_sessions.c.point_id == point_id,
            booking_sessions.c.starts_at == starts_at,
            booking_sessions.c.status == "open",
        )
    )


async def communes_by_name(tx: AsyncConnection) -> dict[str, int]:
    from bot.storage.tables.core import communes

    return {row[1]: row[0] for row in await tx.execute(select(communes.c.id, communes.c.name))}
