"""Reminder rows, return dates (people, boats, unlinked users) and what a due reminder needs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.sql import insert_ignore, upsert
from bot.storage.tables.booking import booking_members, booking_slots, bookings
from bot.storage.tables.core import (
    boats,
    households,
    persons,
    roles,
    users,
    villages,
)
from bot.storage.tables.reminders import away_users, reminders

SCHEDULED = "scheduled"
ACTIVE_BOOKING = ("confirmed", "arrived")
GONE = ("moved", "exempt")


@dataclass(frozen=True)
class ReminderRow:
    id: int
    kind: str
    key: str
    user_id: int | None
    person_id: int | None
    booking_id: int | None
    due_at: datetime
    created_at: datetime


_COLUMNS = (
    reminders.c.id,
    reminders.c.kind,
    reminders.c.key,
    reminders.c.user_id,
    reminders.c.person_id,
    reminders.c.booking_id,
    reminders.c.due_at,
    reminders.c.created_at,
)


_INSERTED = ("kind", "key", "user_id", "person_id", "booking_id", "due_at", "status", "created_at")
_SQLITE_TIME = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores DateTime on SQLite


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime(_SQLITE_TIME)
    return value


async def insert(tx: AsyncConnection, rows: Sequence[dict[str, Any]]) -> int:
    """Insert reminder rows, skipping keys already there; returns how many were new.

    On SQLite the rows go straight to the driver's executemany: about twice as fast as
    SQLAlchemy's per-row processing when a boat or a bench schedules thousands at once.
    """
    if tx.dialect.name != "sqlite" or not rows:
        return await insert_ignore(tx, reminders, rows)
    sql = "INSERT OR IGNORE INTO reminders ({}) VALUES ({})".format(
        ", ".join(_INSERTED), ", ".join("?" for _ in _INSERTED)
    )
    data = [tuple(_sqlite_value(row[name]) for name in _INSERTED) for row in rows]
    result = await tx.exec_driver_sql(sql, data)
    return max(result.rowcount, 0)


async def revive(tx: AsyncConnection, keys: Sequence[str], due: dict[str, datetime]) -> None:
    """Put cancelled reminders with these keys back on schedule (a date set back again)."""
    for key in keys:
        await tx.execute(
            update(reminders)
            .where(reminders.c.key == key, reminders.c.status == "cancelled")
            .values(status=SCHEDULED, due_at=due[key])
        )


async def cancel(
    tx: AsyncConnection,
    *,
    kinds: Iterable[str],
    person_ids: Iterable[int] = (),
    user_id: int | None = None,
    booking_id: int | None = None,
    keep_keys: Iterable[str] = (),
) -> int:
    """Cancel the scheduled reminders of these kinds for these people / user / booking."""
    owners = []
    person_ids = list(person_ids)
    if person_ids:
        owners.append(reminders.c.person_id.in_(person_ids))
    if user_id is not None:
        owners.append(reminders.c.user_id == user_id)
    if booking_id is not None:
        owners.append(reminders.c.booking_id == booking_id)
    if not owners:
        return 0
    result = await tx.execute(
        update(reminders)
        .where(
            reminders.c.status == SCHEDULED,
            reminders.c.kind.in_(list(kinds)),
            or_(*owners),
            reminders.c.key.not_in(list(keep_keys)),
        )
        .values(status="cancelled")
    )
    return result.rowcount


async def due(tx: AsyncConnection, now: datetime, limit: int) -> list[ReminderRow]:
    rows = await tx.execute(
        select(*_COLUMNS)
        .where(reminders.c.status == SCHEDULED, reminders.c.due_at <= now)
        .order_by(reminders.c.due_at, reminders.c.id)
        .limit(limit)
    )
    return [ReminderRow(*row) for row in rows]


async def next_due_at(tx: AsyncConnection) -> datetime | None:
    return await tx.scalar(
        select(func.min(reminders.c.due_at)).where(reminders.c.status == SCHEDULED)
    )


async def mark(
    tx: AsyncConnection, ids: Sequence[int], status: str, now: datetime | None = None
) -> None:
    """Close reminders that are still scheduled (sent, missed, cancelled, skipped)."""
    if ids:
        await tx.execute(
            update(reminders)
            .where(reminders.c.id.in_(list(ids)), reminders.c.status == SCHEDULED)
            .values(status=status, sent_at=now)
        )


async def move(tx: AsyncConnection, reminder_id: int, due_at: datetime) -> None:
    await tx.execute(update(reminders).where(reminders.c.id == reminder_id).values(due_at=due_at))


# --- return dates ---------------------------------------------------------------------------


async def set_persons_away(
    tx: AsyncConnection, person_ids: Sequence[int], return_on: date, now: datetime
) -> None:
    await tx.execute(
        update(persons)
        .where(persons.c.id.in_(list(person_ids)), persons.c.status.not_in(GONE))
        .values(status="away", away_until=return_on, updated_at=now)
    )


async def set_user_away(tx: AsyncConnection, user_id: int, return_on: date, now: datetime) -> None:
    await upsert(
        tx,
        away_users,
        {"user_id": user_id, "return_on": return_on, "updated_at": now},
        ["user_id"],
    )


@dataclass(frozen=True)
class Boat:
    id: int
    registration: str
    village_id: int | None
    return_on: date | None


async def boat_by_registration(tx: AsyncConnection, registration: str) -> Boat | None:
    row = (
        await tx.execute(
            select(boats.c.id, boats.c.registration, boats.c.village_id, boats.c.return_on).where(
                func.upper(func.replace(boats.c.registration, "-", "")) == registration
            )
        )
    ).first()
    return Boat(*row) if row else None


async def set_boat_return(tx: AsyncConnection, boat_id: int, return_on: date) -> None:
    await tx.execute(update(boats).where(boats.c.id == boat_id).values(return_on=return_on))


async def crew(tx: AsyncConnection, boat_id: int) -> list[int]:
    """Ids of the crew who still count (not moved away, not exempt)."""
    rows = await tx.execute(
        select(persons.c.id).where(persons.c.boat_id == boat_id, persons.c.status.not_in(GONE))
    )
    return [row[0] for row in rows]


# --- what a due reminder needs --------------------------------------------------------------


@dataclass(frozen=True)
class PersonState:
    person_id: int
    village_id: int
    needs_visit: bool  # no ID card or no level 2 account, and not moved / exempt


@dataclass(frozen=True)
class BookingBrief:
    booking_id: int
    user_id: int
    status: str
    starts_at: datetime
    person_ids: tuple[int, ...]


async def booking_brief(tx: AsyncConnection, booking_id: int) -> BookingBrief | None:
    row = (
        await tx.execute(
            select(bookings.c.id, bookings.c.user_id, bookings.c.status, booking_slots.c.starts_at)
            .join(booking_slots, booking_slots.c.id == bookings.c.slot_id)
            .where(bookings.c.id == booking_id)
        )
    ).first()
    if row is None:
        return None
    members = await tx.execute(
        select(booking_members.c.person_id).where(
            booking_members.c.booking_id == booking_id, booking_members.c.active.is_(True)
        )
    )
    return BookingBrief(*row, tuple(m[0] for m in members))


# --- the team leads' digest -----------------------------------------------------------------


async def team_leads(tx: AsyncConnection) -> list[tuple[int, int, str | None]]:
    """(user id, commune id, locale) of every team lead."""
    rows = await tx.execute(
        select(roles.c.user_id, roles.c.commune_id, users.c.locale)
        .join(users, users.c.id == roles.c.user_id)
        .where(roles.c.role == "team_lead", roles.c.commune_id.is_not(None))
        .order_by(roles.c.user_id)
    )
    return [tuple(row) for row in rows]  # type: ignore[misc]


@dataclass(frozen=True)
class Arrival:
    village: str
    boat: str | None
    full_name: str
    has_id_card: bool
    has_eid_level2: bool


async def arrivals_missing(
    tx: AsyncConnection,
    day: date,
    *,
    commune_id: int | None = None,
    village_ids: Sequence[int] | None = None,
) -> list[Arrival]:
    """People coming back on `day` who still lack the card or level 2, in a commune or villages."""
    place = (
        villages.c.commune_id == commune_id
        if commune_id is not None
        else villages.c.id.in_(list(village_ids or ()))
    )
    rows = await tx.execute(
        select(
            villages.c.name,
            boats.c.registration,
            persons.c.full_name,
            persons.c.has_id_card,
            persons.c.has_eid_level2,
        )
        .join(households, households.c.id == persons.c.household_id)
        .join(villages, villages.c.id == households.c.village_id)
        .outerjoin(boats, boats.c.id == persons.c.boat_id)
        .where(
            place,
            persons.c.status.not_in(GONE),
            or_(persons.c.away_until == day, boats.c.return_on == day),
            or_(persons.c.has_id_card.is_(False), persons.c.has_eid_level2.is_(False)),
        )
        .order_by(villages.c.name, boats.c.registration, persons.c.full_name)
    )
    return [Arrival(*row) for row in rows]


# --- batch look-ups for a run of due reminders ----------------------------------------------


@dataclass(frozen=True)
class Recipient:
    user_id: int
    person_id: int | None
    locale: str | None


async def recipients(
    tx: AsyncConnection, user_ids: Sequence[int], person_ids: Sequence[int]
) -> tuple[dict[int, Recipient], dict[int, Recipient]]:
    """The chat users behind these user ids and person ids (by user id, by person id)."""
    rows = await tx.execute(
        select(users.c.id, users.c.person_id, users.c.locale).where(
            or_(users.c.id.in_(list(user_ids)), users.c.person_id.in_(list(person_ids)))
        )
    )
    found = [Recipient(*row) for row in rows]
    return (
        {r.user_id: r for r in found},
        {r.person_id: r for r in found if r.person_id is not None},
    )


async def person_states(tx: AsyncConnection, person_ids: Sequence[int]) -> dict[int, PersonState]:
    rows = await tx.execute(
        select(
            persons.c.id,
            households.c.village_id,
            persons.c.has_id_card,
            persons.c.has_eid_level2,
            persons.c.status,
        )
        .join(households, households.c.id == persons.c.household_id)
        .where(persons.c.id.in_(list(person_ids)))
    )
    return {
        row[0]: PersonState(row[0], row[1], not (row[2] and row[3]) and row[4] not in GONE)
        for row in rows
    }


async def latest_bookings(
    tx: AsyncConnection, user_ids: Sequence[int], person_ids: Sequence[int]
) -> tuple[dict[int, datetime], dict[int, datetime]]:
    """The latest booked slot start of each user and each person named in a booking."""
    active = bookings.c.status.in_(ACTIVE_BOOKING)
    by_user = await tx.execute(
        select(bookings.c.user_id, func.max(booking_slots.c.starts_at))
        .join(booking_slots, booking_slots.c.id == bookings.c.slot_id)
        .where(active, bookings.c.user_id.in_(list(user_ids)))
        .group_by(bookings.c.user_id)
    )
    by_person = await tx.execute(
        select(booking_members.c.person_id, func.max(booking_slots.c.starts_at))
        .join(bookings, bookings.c.id == booking_members.c.booking_id)
        .join(booking_slots, booking_slots.c.id == bookings.c.slot_id)
        .where(active, booking_members.c.person_id.in_(list(person_ids)))
        .group_by(booking_members.c.person_id)
    )
    return {row[0]: row[1] for row in by_user}, {row[0]: row[1] for row in by_person}
