"""Writing a booking and the one-booking-per-person rule, shared by booking and waitlist."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.services import booking_events
from bot.services.booking.rules import (
    COVERS,
    MAX_PEOPLE,
    BookError,
    Service,
    age_on,
    local_today,
    overlaps,
    too_young,
)
from bot.storage import booking as store


async def check_people(
    tx: AsyncConnection, *, booker_person_id: int | None, person_ids: Sequence[int], people: int
) -> BookError | None:
    """Members must be in the booker's household; a count must be 1 to MAX_PEOPLE."""
    if person_ids:
        if booker_person_id is None or len(set(person_ids)) != len(person_ids):
            return BookError.BAD_PEOPLE
        household = {m.person_id for m in await store.household_members(tx, booker_person_id)}
        if not set(person_ids) <= household or len(person_ids) > MAX_PEOPLE:
            return BookError.BAD_PEOPLE
        return None
    return None if 1 <= people <= MAX_PEOPLE else BookError.BAD_PEOPLE


async def check_ages(
    tx: AsyncConnection, *, booker_person_id: int | None, person_ids: Sequence[int], now: datetime
) -> BookError | None:
    """No child under 6 is booked: their card is asked for online and they have no level 2."""
    if not person_ids or booker_person_id is None:
        return None
    today = local_today(now)
    for member in await store.household_members(tx, booker_person_id):
        if member.person_id in person_ids and too_young(
            age_on(today, member.birth_year, member.birth_date)
        ):
            return BookError.TOO_YOUNG
    return None


async def has_duplicate(
    tx: AsyncConnection, *, user_id: int, service: str, person_ids: Sequence[int]
) -> bool:
    """True if one of the people (or, without members, the booker) already holds this service."""
    if person_ids:
        held = await store.active_services_of_persons(tx, person_ids)
        wanted = set(COVERS[Service(service)])
        return any(svc in wanted for _pid, svc in held)
    return any(overlaps(s, service) for s in await store.active_services_of_user(tx, user_id))


async def create(
    tx: AsyncConnection,
    *,
    slot_id: int,
    session_id: int,
    user_id: int,
    service: str,
    person_ids: Sequence[int],
    people: int,
    now: datetime,
    guest_names: Sequence[str] = (),
) -> int:
    """Insert the booking (its places are already taken) and tell the reminders."""
    booking_id = await store.insert_booking(
        tx,
        slot_id=slot_id,
        session_id=session_id,
        user_id=user_id,
        service=service,
        people=len(person_ids) or people,
        now=now,
        guest_names=", ".join(guest_names),
    )
    await store.insert_members(tx, booking_id, person_ids, COVERS[Service(service)])
    await booking_events.booking_changed(tx, booking_id, now)
    return booking_id
