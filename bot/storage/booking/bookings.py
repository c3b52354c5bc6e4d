"""SQL for booking: bookings and their members."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.tables.booking import (
    booking_members,
    booking_sessions,
    booking_slots,
    bookings,
    collection_points,
)
from bot.storage.tables.core import persons

# --- bookings ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Booking:
    id: int
    slot_id: int
    session_id: int
    user_id: int
    service: str
    people: int
    status: str
    outcome: str | None
    starts_at: datetime
    ends_at: datetime
    point_name: str
    address: str


def _booking_query() -> Any:
    b, sl, s, p = bookings, booking_slots, booking_sessions, collection_points
    return (
        select(
            b.c.id,
            b.c.slot_id,
            b.c.session_id,
            b.c.user_id,
            b.c.service,
            b.c.people,
            b.c.status,
            b.c.outcome,
            sl.c.starts_at,
            sl.c.ends_at,
            p.c.name,
            p.c.address,
        )
        .join(sl, sl.c.id == b.c.slot_id)
        .join(s, s.c.id == b.c.session_id)
        .join(p, p.c.id == s.c.point_id)
    )


async def booking(tx: AsyncConnection, booking_id: int) -> Booking | None:
    row = (await tx.execute(_booking_query().where(bookings.c.id == booking_id))).first()
    return Booking(*row) if row else None


async def user_bookings(
    tx: AsyncConnection, user_id: int, statuses: Sequence[str] = ("confirmed",)
) -> list[Booking]:
    rows = await tx.execute(
        _booking_query()
        .where(bookings.c.user_id == user_id, bookings.c.status.in_(statuses))
        .order_by(booking_slots.c.starts_at)
    )
    return [Booking(*row) for row in rows]


async def session_bookings(
    tx: AsyncConnection, session_id: int, statuses: Sequence[str] = ("confirmed",)
) -> list[Booking]:
    rows = await tx.execute(
        _booking_query()
        .where(bookings.c.session_id == session_id, bookings.c.status.in_(statuses))
        .order_by(booking_slots.c.starts_at, bookings.c.id)
    )
    return [Booking(*row) for row in rows]


async def insert_booking(
    tx: AsyncConnection,
    *,
    slot_id: int,
    session_id: int,
    user_id: int,
    service: str,
    people: int,
    now: datetime,
    guest_names: str = "",
) -> int:
    result = await tx.execute(
        insert(bookings).values(
            slot_id=slot_id,
            session_id=session_id,
            user_id=user_id,
            service=service,
            people=people,
            guest_names=guest_names,
            status="confirmed",
            created_at=now,
            updated_at=now,
        )
    )
    return int(result.inserted_primary_key[0])  # type: ignore[index]


async def insert_members(
    tx: AsyncConnection, booking_id: int, person_ids: Sequence[int], services: Sequence[str]
) -> None:
    rows = [
        {"booking_id": booking_id, "person_id": pid, "service": svc, "active": True}
        for pid in person_ids
        for svc in services
    ]
    if rows:
        await tx.execute(insert(booking_members), rows)


async def active_services_of_persons(
    tx: AsyncConnection, person_ids: Sequence[int]
) -> set[tuple[int, str]]:
    if not person_ids:
        return set()
    rows = await tx.execute(
        select(booking_members.c.person_id, booking_members.c.service).where(
            booking_members.c.person_id.in_(list(person_ids)),
            booking_members.c.active.is_(True),
        )
    )
    return {(row[0], row[1]) for row in rows}


async def active_services_of_user(tx: AsyncConnection, user_id: int) -> list[str]:
    """Services of the user's confirmed bookings made without roster members."""
    has_members = select(booking_members.c.id).where(booking_members.c.booking_id == bookings.c.id)
    rows = await tx.execute(
        select(bookings.c.service).where(
            bookings.c.user_id == user_id,
            bookings.c.status == "confirmed",
            ~has_members.exists(),
        )
    )
    return [row[0] for row in rows]


async def member_ids(tx: AsyncConnection, booking_id: int) -> list[int]:
    rows = await tx.execute(
        select(booking_members.c.person_id)
        .where(booking_members.c.booking_id == booking_id)
        .distinct()
        .order_by(booking_members.c.person_id)
    )
    return [row[0] for row in rows]


async def member_names(tx: AsyncConnection, booking_ids: Sequence[int]) -> dict[int, list[str]]:
    if not booking_ids:
        return {}
    rows = await tx.execute(
        # PostgreSQL wants DISTINCT's ORDER BY columns in the select list.
        select(booking_members.c.booking_id, persons.c.id, persons.c.full_name)
        .join(persons, persons.c.id == booking_members.c.person_id)
        .where(booking_members.c.booking_id.in_(list(booking_ids)))
        .distinct()
        .order_by(booking_members.c.booking_id, persons.c.id)
    )
    out: dict[int, list[str]] = {}
    for booking_id, _person, name in rows:
        out.setdefault(booking_id, []).append(name)
    return out


async def set_booking(
    tx: AsyncConnection,
    booking_id: int,
    *,
    expect: str,
    now: datetime,
    **values: Any,
) -> bool:
    """Update a booking still in status `expect`; False if it moved on meanwhile."""
    result = await tx.execute(
        update(bookings)
        .where(bookings.c.id == booking_id, bookings.c.status == expect)
        .values(updated_at=now, **values)
    )
    return result.rowcount == 1


async def deactivate_members(tx: AsyncConnection, booking_id: int) -> None:
    await tx.execute(
        update(booking_members)
        .where(booking_members.c.booking_id == booking_id)
        .values(active=False)
    )


async def mark_persons(
    tx: AsyncConnection,
    person_ids: Sequence[int],
    *,
    now: datetime,
    id_card_applied: bool,
    eid_level2: bool,
) -> None:
    values: dict[str, Any] = {"updated_at": now}
    if id_card_applied:
        values["id_card_applied_at"] = now
    if eid_level2:
        values["has_eid_level2"] = True
    if person_ids and len(values) > 1:
        await tx.execute(update(persons).where(persons.c.id.in_(list(person_ids))).values(values))


async def person_bookings(tx: AsyncConnection, person_ids: Sequence[int]) -> list[Booking]:
    """Confirmed bookings in which one of these people is an active member, soonest first."""
    if not person_ids:
        return []
    held = select(booking_members.c.booking_id).where(
        booking_members.c.person_id.in_(list(person_ids)), booking_members.c.active.is_(True)
    )
    rows = await tx.execute(
        _booking_query()
        .where(bookings.c.id.in_(held), bookings.c.status == "confirmed")
        .order_by(booking_slots.c.starts_at)
    )
    return [Booking(*row) for row in rows]


async def add_people(tx: AsyncConnection, booking_id: int, count: int) -> None:
    await tx.execute(
        update(bookings)
        .where(bookings.c.id == booking_id)
        .values(people=bookings.c.people + count)
    )


async def members(tx: AsyncConnection, booking_id: int) -> list[tuple[int, str]]:
    """(person id, name) of each roster member of a booking."""
    rows = await tx.execute(
        select(booking_members.c.person_id, persons.c.full_name)
        .join(persons, persons.c.id == booking_members.c.person_id)
        .where(booking_members.c.booking_id == booking_id)
        .distinct()
        .order_by(booking_members.c.person_id)
    )
    return [(int(pid), name) for pid, name in rows]


async def guest_names(tx: AsyncConnection, booking_ids: Sequence[int]) -> dict[int, list[str]]:
    """The names typed at booking for people not on the roster, by booking."""
    if not booking_ids:
        return {}
    rows = await tx.execute(
        select(bookings.c.id, bookings.c.guest_names).where(
            bookings.c.id.in_(list(booking_ids)), bookings.c.guest_names != ""
        )
    )
    return {booking_id: names.split(", ") for booking_id, names in rows}
