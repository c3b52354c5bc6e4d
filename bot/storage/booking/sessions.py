"""SQL for booking: sessions and their slots."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import case, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.tables.booking import (
    booking_sessions,
    booking_slots,
    collection_points,
)

# --- sessions and slots --------------------------------------------------------------------


@dataclass(frozen=True)
class Session:
    id: int
    point_id: int
    point_name: str
    address: str
    commune_id: int
    village_id: int | None
    is_island: bool
    day: date
    starts_at: datetime
    ends_at: datetime
    machines: int
    minutes_per_person: int
    slot_minutes: int
    is_mobile: bool
    cutoff_at: datetime
    status: str
    capacity: int  # places in every slot
    taken: int
    free_ahead: int  # free places in slots that have not started


@dataclass(frozen=True)
class Slot:
    id: int
    session_id: int
    starts_at: datetime
    ends_at: datetime
    capacity: int
    taken: int

    @property
    def free(self) -> int:
        return max(self.capacity - self.taken, 0)


def _session_query(now: datetime) -> Any:
    s, p, sl = booking_sessions, collection_points, booking_slots
    ahead = func.coalesce(
        func.sum(case((sl.c.starts_at > now, sl.c.capacity - sl.c.taken), else_=0)), 0
    )
    return (
        select(
            s.c.id,
            s.c.point_id,
            p.c.name,
            p.c.address,
            p.c.commune_id,
            p.c.village_id,
            p.c.is_island,
            s.c.day,
            s.c.starts_at,
            s.c.ends_at,
            s.c.machines,
            s.c.minutes_per_person,
            s.c.slot_minutes,
            s.c.is_mobile,
            s.c.cutoff_at,
            s.c.status,
            func.coalesce(func.sum(sl.c.capacity), 0),
            func.coalesce(func.sum(sl.c.taken), 0),
            ahead,
        )
        .join(p, p.c.id == s.c.point_id)
        .outerjoin(sl, sl.c.session_id == s.c.id)
        .group_by(s.c.id, p.c.id)
    )


async def session(tx: AsyncConnection, session_id: int, now: datetime) -> Session | None:
    row = (
        await tx.execute(_session_query(now).where(booking_sessions.c.id == session_id))
    ).first()
    return Session(*row) if row else None


async def sessions_ahead(
    tx: AsyncConnection,
    now: datetime,
    *,
    commune_ids: Iterable[int] | None = None,
    mobile_only: bool = False,
    limit: int = 50,
) -> list[Session]:
    """Open sessions that have not ended, earliest first."""
    query = _session_query(now).where(
        booking_sessions.c.status == "open", booking_sessions.c.ends_at > now
    )
    if commune_ids is not None:
        query = query.where(collection_points.c.commune_id.in_(list(commune_ids)))
    if mobile_only:
        query = query.where(booking_sessions.c.is_mobile.is_(True))
    query = query.order_by(booking_sessions.c.starts_at, booking_sessions.c.id).limit(limit)
    return [Session(*row) for row in await tx.execute(query)]


async def insert_session(tx: AsyncConnection, values: dict[str, Any]) -> int:
    result = await tx.execute(insert(booking_sessions).values(**values))
    return int(result.inserted_primary_key[0])  # type: ignore[index]


async def insert_slots(tx: AsyncConnection, rows: list[dict[str, Any]]) -> None:
    if rows:
        await tx.execute(insert(booking_slots), rows)


async def update_session(tx: AsyncConnection, session_id: int, **values: Any) -> None:
    await tx.execute(
        update(booking_sessions).where(booking_sessions.c.id == session_id).values(**values)
    )


async def close_session(tx: AsyncConnection, session_id: int, now: datetime) -> bool:
    """Mark an open session cancelled; False if it was not open."""
    result = await tx.execute(
        update(booking_sessions)
        .where(booking_sessions.c.id == session_id, booking_sessions.c.status == "open")
        .values(status="cancelled", updated_at=now)
    )
    return result.rowcount == 1


_SLOT_COLS = (
    booking_slots.c.id,
    booking_slots.c.session_id,
    booking_slots.c.starts_at,
    booking_slots.c.ends_at,
    booking_slots.c.capacity,
    booking_slots.c.taken,
)


async def slots(tx: AsyncConnection, session_id: int) -> list[Slot]:
    rows = await tx.execute(
        select(*_SLOT_COLS)
        .where(booking_slots.c.session_id == session_id)
        .order_by(booking_slots.c.starts_at)
    )
    return [Slot(*row) for row in rows]


async def slot(tx: AsyncConnection, slot_id: int) -> Slot | None:
    row = (await tx.execute(select(*_SLOT_COLS).where(booking_slots.c.id == slot_id))).first()
    return Slot(*row) if row else None


async def shift_slots(tx: AsyncConnection, session_id: int, delta: timedelta) -> None:
    for one in await slots(tx, session_id):
        await tx.execute(
            update(booking_slots)
            .where(booking_slots.c.id == one.id)
            .values(starts_at=one.starts_at + delta, ends_at=one.ends_at + delta)
        )


async def set_capacity(tx: AsyncConnection, slot_id: int, capacity: int) -> None:
    await tx.execute(
        update(booking_slots).where(booking_slots.c.id == slot_id).values(capacity=capacity)
    )


async def release_places(tx: AsyncConnection, slot_id: int, people: int) -> None:
    await tx.execute(
        update(booking_slots)
        .where(booking_slots.c.id == slot_id)
        .values(
            taken=case((booking_slots.c.taken > people, booking_slots.c.taken - people), else_=0)
        )
    )


@dataclass(frozen=True)
class OpenSlot:
    slot_id: int
    session_id: int
    starts_at: datetime
    ends_at: datetime
    free: int
    point_name: str
    address: str
    village_id: int | None
    is_island: bool


async def open_slots(
    tx: AsyncConnection, now: datetime, *, exclude_session: int | None = None, limit: int = 200
) -> list[OpenSlot]:
    """Slots with free places that can still be booked, earliest first."""
    s, p, sl = booking_sessions, collection_points, booking_slots
    query = (
        select(
            sl.c.id,
            s.c.id,
            sl.c.starts_at,
            sl.c.ends_at,
            sl.c.capacity - sl.c.taken,
            p.c.name,
            p.c.address,
            p.c.village_id,
            p.c.is_island,
        )
        .join(s, s.c.id == sl.c.session_id)
        .join(p, p.c.id == s.c.point_id)
        .where(
            s.c.status == "open",
            s.c.cutoff_at > now,
            sl.c.starts_at > now,
            sl.c.taken < sl.c.capacity,
        )
        .order_by(sl.c.starts_at, sl.c.id)
        .limit(limit)
    )
    if exclude_session is not None:
        query = query.where(s.c.id != exclude_session)
    return [OpenSlot(*row) for row in await tx.execute(query)]
