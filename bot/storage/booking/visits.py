"""SQL for booking: home visits."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.tables.booking import (
    home_visits,
)
from bot.storage.tables.core import villages

# --- home visits ------------------------------------------------------------------------


@dataclass(frozen=True)
class HomeVisit:
    id: int
    user_id: int
    person_id: int | None
    person_name: str
    kind: str
    reason: str
    address: str
    phone: str
    preferred_time: str
    village_id: int
    village_name: str
    status: str
    round_session_id: int | None


def _visit_query() -> Any:
    h = home_visits
    return select(
        h.c.id,
        h.c.user_id,
        h.c.person_id,
        h.c.person_name,
        h.c.kind,
        h.c.reason,
        h.c.address,
        h.c.phone,
        h.c.preferred_time,
        h.c.village_id,
        villages.c.name,
        h.c.status,
        h.c.round_session_id,
    ).join(villages, villages.c.id == h.c.village_id)


async def insert_visit(tx: AsyncConnection, values: dict[str, Any]) -> int:
    result = await tx.execute(insert(home_visits).values(**values))
    return int(result.inserted_primary_key[0])  # type: ignore[index]


async def visit(tx: AsyncConnection, visit_id: int) -> HomeVisit | None:
    row = (await tx.execute(_visit_query().where(home_visits.c.id == visit_id))).first()
    return HomeVisit(*row) if row else None


async def visits(
    tx: AsyncConnection, village_ids: Iterable[int], statuses: Sequence[str]
) -> list[HomeVisit]:
    rows = await tx.execute(
        _visit_query()
        .where(
            home_visits.c.village_id.in_(list(village_ids)),
            home_visits.c.status.in_(statuses),
        )
        .order_by(villages.c.name, home_visits.c.id)
    )
    return [HomeVisit(*row) for row in rows]


async def open_visit_of(tx: AsyncConnection, user_id: int, person_name: str) -> int | None:
    return await tx.scalar(
        select(home_visits.c.id).where(
            home_visits.c.user_id == user_id,
            home_visits.c.person_name == person_name,
            or_(home_visits.c.status == "open", home_visits.c.status == "assigned"),
        )
    )


async def set_visit(
    tx: AsyncConnection, visit_id: int, *, expect: Sequence[str], **values: Any
) -> bool:
    result = await tx.execute(
        update(home_visits)
        .where(and_(home_visits.c.id == visit_id, home_visits.c.status.in_(expect)))
        .values(**values)
    )
    return result.rowcount == 1
