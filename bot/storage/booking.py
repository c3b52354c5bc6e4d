"""SQL for booking: points, sessions, slots, bookings, waitlist and home visits."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, case, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.tables.booking import (
    booking_members,
    booking_sessions,
    booking_slots,
    bookings,
    collection_points,
    home_visits,
    waitlist_entries,
)
from bot.storage.tables.core import households, persons, users, villages
from bot.storage.types import UtcDateTime

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
    query = select(*_POINT_COLS).order_by(collection_points.c.name)
    if commune_ids is not None:
        query = query.where(collection_points.c.commune_id.in_(list(commune_ids)))
    return [Point(*row) for row in await tx.execute(query)]


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
) -> int:
    result = await tx.execute(
        insert(bookings).values(
            slot_id=slot_id,
            session_id=session_id,
            user_id=user_id,
            service=service,
            people=people,
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
        select(booking_members.c.booking_id, persons.c.full_name)
        .join(persons, persons.c.id == booking_members.c.person_id)
        .where(booking_members.c.booking_id.in_(list(booking_ids)))
        .distinct()
        .order_by(booking_members.c.booking_id, persons.c.id)
    )
    out: dict[int, list[str]] = {}
    for booking_id, name in rows:
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


# --- people and places ------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    person_id: int
    full_name: str
    has_id_card: bool
    has_eid_level2: bool


async def household_members(tx: AsyncConnection, person_id: int) -> list[Member]:
    """Everyone on the roster in the person's household who still lives there."""
    household = select(persons.c.household_id).where(persons.c.id == person_id).scalar_subquery()
    rows = await tx.execute(
        select(persons.c.id, persons.c.full_name, persons.c.has_id_card, persons.c.has_eid_level2)
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


# --- waitlist ---------------------------------------------------------------------------


@dataclass(frozen=True)
class WaitEntry:
    id: int
    session_id: int
    user_id: int
    service: str
    people: int
    person_ids: str
    status: str
    offered_slot_id: int | None
    offer_expires_at: datetime | None

    @property
    def persons(self) -> list[int]:
        return [int(p) for p in self.person_ids.split(",") if p.isdigit()]


_WAIT_COLS = (
    waitlist_entries.c.id,
    waitlist_entries.c.session_id,
    waitlist_entries.c.user_id,
    waitlist_entries.c.service,
    waitlist_entries.c.people,
    waitlist_entries.c.person_ids,
    waitlist_entries.c.status,
    waitlist_entries.c.offered_slot_id,
    waitlist_entries.c.offer_expires_at,
)


_INSERT_WAIT = insert(waitlist_entries)


async def insert_wait(tx: AsyncConnection, values: dict[str, Any]) -> int:
    result = await tx.execute(_INSERT_WAIT, values)
    return int(result.inserted_primary_key[0])  # type: ignore[index]


async def wait_entry(tx: AsyncConnection, entry_id: int) -> WaitEntry | None:
    row = (await tx.execute(select(*_WAIT_COLS).where(waitlist_entries.c.id == entry_id))).first()
    return WaitEntry(*row) if row else None


async def user_waiting(tx: AsyncConnection, user_id: int, session_id: int) -> WaitEntry | None:
    row = (
        await tx.execute(
            select(*_WAIT_COLS).where(
                waitlist_entries.c.user_id == user_id,
                waitlist_entries.c.session_id == session_id,
                waitlist_entries.c.status.in_(("waiting", "offered")),
            )
        )
    ).first()
    return WaitEntry(*row) if row else None


async def wait_position(tx: AsyncConnection, entry: WaitEntry) -> int:
    return int(
        await tx.scalar(
            select(func.count()).where(
                waitlist_entries.c.session_id == entry.session_id,
                waitlist_entries.c.status == "waiting",
                waitlist_entries.c.id <= entry.id,
            )
        )
        or 0
    )


async def first_waiting(tx: AsyncConnection, session_id: int, max_people: int) -> WaitEntry | None:
    """The earliest waiting entry of the session that fits in `max_people` places."""
    row = (
        await tx.execute(
            select(*_WAIT_COLS)
            .where(
                waitlist_entries.c.session_id == session_id,
                waitlist_entries.c.status == "waiting",
                waitlist_entries.c.people <= max_people,
            )
            .order_by(waitlist_entries.c.id)
            .limit(1)
        )
    ).first()
    return WaitEntry(*row) if row else None


async def set_wait(
    tx: AsyncConnection, entry_id: int, *, expect: Sequence[str], **values: Any
) -> bool:
    result = await tx.execute(
        update(waitlist_entries)
        .where(waitlist_entries.c.id == entry_id, waitlist_entries.c.status.in_(expect))
        .values(**values)
    )
    return result.rowcount == 1


async def due_offers(tx: AsyncConnection, now: datetime) -> list[WaitEntry]:
    rows = await tx.execute(
        select(*_WAIT_COLS)
        .where(
            waitlist_entries.c.status == "offered",
            waitlist_entries.c.offer_expires_at <= now,
        )
        .order_by(waitlist_entries.c.offer_expires_at, waitlist_entries.c.id)
    )
    return [WaitEntry(*row) for row in rows]


async def session_waitlist(tx: AsyncConnection, session_id: int) -> list[WaitEntry]:
    rows = await tx.execute(
        select(*_WAIT_COLS)
        .where(
            waitlist_entries.c.session_id == session_id,
            waitlist_entries.c.status.in_(("waiting", "offered")),
        )
        .order_by(waitlist_entries.c.id)
    )
    return [WaitEntry(*row) for row in rows]


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


# --- one-statement checks for the hot paths ---------------------------------------------
# Built once with bound parameters: a resident racing for a place pays for the SQL round
# trips only, not for building the statements again.


def _holds_clause(with_members: bool) -> Any:
    """EXISTS: one of the people (or, without members, the user) already holds the service."""
    if with_members:
        return (
            select(booking_members.c.id)
            .where(
                booking_members.c.person_id.in_(bindparam("person_ids", expanding=True)),
                booking_members.c.active.is_(True),
                booking_members.c.service.in_(bindparam("covers", expanding=True)),
            )
            .exists()
        )
    has_members = select(booking_members.c.id).where(booking_members.c.booking_id == bookings.c.id)
    return (
        select(bookings.c.id)
        .where(
            bookings.c.user_id == bindparam("user_id"),
            bookings.c.status == "confirmed",
            bookings.c.service.in_(bindparam("overlapping", expanding=True)),
            ~has_members.exists(),
        )
        .exists()
    )


def _slot_gate_query(with_members: bool) -> Any:
    sl, s = booking_slots, booking_sessions
    return (
        select(s.c.id, s.c.status, s.c.cutoff_at, sl.c.starts_at, _holds_clause(with_members))
        .join(s, s.c.id == sl.c.session_id)
        .where(sl.c.id == bindparam("slot_id"))
    )


def _session_gate_query(with_members: bool) -> Any:
    s, sl, w = booking_sessions, booking_slots, waitlist_entries
    free = (
        select(func.coalesce(func.sum(sl.c.capacity - sl.c.taken), 0))
        .where(sl.c.session_id == s.c.id, sl.c.starts_at > bindparam("now", type_=UtcDateTime))
        .scalar_subquery()
    )
    waiting = (
        select(func.count())
        .where(w.c.session_id == s.c.id, w.c.status == "waiting")
        .scalar_subquery()
    )
    mine = (
        select(w.c.id)
        .where(
            w.c.session_id == s.c.id,
            w.c.user_id == bindparam("user_id"),
            w.c.status.in_(("waiting", "offered")),
        )
        .exists()
    )
    return select(
        s.c.status, s.c.cutoff_at, s.c.ends_at, free, waiting, mine, _holds_clause(with_members)
    ).where(s.c.id == bindparam("session_id"))


_SLOT_GATE = {flag: _slot_gate_query(flag) for flag in (False, True)}
_SESSION_GATE = {flag: _session_gate_query(flag) for flag in (False, True)}
_TAKE = (
    update(booking_slots)
    .where(
        booking_slots.c.id == bindparam("slot"),
        booking_slots.c.taken + bindparam("people") <= booking_slots.c.capacity,
    )
    .values(taken=booking_slots.c.taken + bindparam("people"))
)


def _gate_params(
    user_id: int, person_ids: Sequence[int], covers: Sequence[str], overlapping: Sequence[str]
) -> dict[str, Any]:
    if person_ids:
        return {"person_ids": list(person_ids), "covers": list(covers) or [""]}
    return {"user_id": user_id, "overlapping": list(overlapping) or [""]}


async def take_places(tx: AsyncConnection, slot_id: int, people: int) -> bool:
    """Take `people` places in a slot if they are free: one conditional statement."""
    result = await tx.execute(_TAKE, {"slot": slot_id, "people": people})
    return result.rowcount == 1


@dataclass(frozen=True)
class SlotGate:
    session_id: int
    status: str
    cutoff_at: datetime
    starts_at: datetime
    holds: bool  # the people already hold this service


async def slot_gate(
    tx: AsyncConnection,
    slot_id: int,
    *,
    user_id: int,
    person_ids: Sequence[int],
    covers: Sequence[str],
    overlapping: Sequence[str],
) -> SlotGate | None:
    """What decides whether a slot may be booked, read in one statement."""
    params = {"slot_id": slot_id, **_gate_params(user_id, person_ids, covers, overlapping)}
    row = (await tx.execute(_SLOT_GATE[bool(person_ids)], params)).first()
    return SlotGate(*row) if row else None


@dataclass(frozen=True)
class SessionGate:
    status: str
    cutoff_at: datetime
    ends_at: datetime
    free_ahead: int
    waiting: int  # entries waiting now
    already_waiting: bool
    holds: bool


async def session_gate(
    tx: AsyncConnection,
    session_id: int,
    now: datetime,
    *,
    user_id: int,
    person_ids: Sequence[int],
    covers: Sequence[str],
    overlapping: Sequence[str],
) -> SessionGate | None:
    """What decides whether the user may join the session's waiting list, in one statement."""
    params = {
        "session_id": session_id,
        "now": now,
        **_gate_params(user_id, person_ids, covers, overlapping),
        "user_id": user_id,
    }
    row = (await tx.execute(_SESSION_GATE[bool(person_ids)], params)).first()
    return SessionGate(*row) if row else None


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
