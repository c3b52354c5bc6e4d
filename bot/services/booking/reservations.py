"""Booking, cancelling and moving a resident's booking, under the capacity rule."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.services import booking_events
from bot.services.booking import records, waitlist
from bot.services.booking.rules import COVERS, BookError, Service, overlapping, overlaps
from bot.storage import booking as store

logger = logging.getLogger(__name__)


def _gate_problem(gate: store.SlotGate | None, now: datetime) -> BookError | None:
    if gate is None:
        return BookError.NOT_FOUND
    if gate.status != "open":
        return BookError.CANCELLED
    if gate.starts_at <= now:
        return BookError.PAST
    if gate.cutoff_at <= now:
        return BookError.CUTOFF
    return None


async def book(
    tx: AsyncConnection,
    *,
    user_id: int,
    slot_id: int,
    service: str,
    now: datetime,
    people: int = 1,
    person_ids: Sequence[int] = (),
    booker_person_id: int | None = None,
    guest_names: Sequence[str] = (),
) -> int | BookError:
    """Book places in a slot for roster members (or a head count); returns the booking id.

    The places are taken by one conditional UPDATE in the caller's transaction, so two
    residents racing for the last place cannot both get it.
    """
    wanted = Service(service)
    problem = await records.check_people(
        tx, booker_person_id=booker_person_id, person_ids=person_ids, people=people
    ) or await records.check_ages(
        tx, booker_person_id=booker_person_id, person_ids=person_ids, now=now
    )
    if problem is not None:
        return problem
    gate = await store.slot_gate(
        tx,
        slot_id,
        user_id=user_id,
        person_ids=person_ids,
        covers=COVERS[wanted],
        overlapping=overlapping(wanted),
    )
    problem = _gate_problem(gate, now)
    if problem is not None or gate is None:
        return problem or BookError.NOT_FOUND
    if gate.holds:
        return BookError.DUPLICATE
    count = len(person_ids) or people
    if not await store.take_places(tx, slot_id, count):
        return BookError.FULL
    booking_id = await records.create(
        tx,
        slot_id=slot_id,
        session_id=gate.session_id,
        user_id=user_id,
        service=wanted,
        person_ids=person_ids,
        people=count,
        now=now,
        guest_names=() if person_ids else guest_names,
    )
    logger.debug("booked: booking=%s slot=%s people=%s", booking_id, slot_id, count)
    return booking_id


async def own_active(
    tx: AsyncConnection, booking_id: int, user_id: int | None, household: Sequence[int] = ()
) -> store.Booking | BookError:
    """The booking if it is confirmed and (unless `user_id` is None: staff) the user's own.

    A booking made by someone else for a member of the user's `household` counts as theirs.
    """
    booking = await store.booking(tx, booking_id)
    if booking is None:
        return BookError.NOT_YOURS
    if user_id is not None and booking.user_id != user_id:
        members = set(await store.member_ids(tx, booking_id))
        if not members & set(household):
            return BookError.NOT_YOURS
    if booking.status != "confirmed":
        return BookError.NOT_ACTIVE
    return booking


async def cancel(
    tx: AsyncConnection,
    *,
    booking_id: int,
    user_id: int,
    now: datetime,
    household: Sequence[int] = (),
) -> store.Booking | BookError:
    """Cancel the user's (or their household's) booking; a freed place goes to the waitlist."""
    booking = await own_active(tx, booking_id, user_id, household)
    if isinstance(booking, BookError):
        return booking
    if not await store.set_booking(
        tx, booking_id, expect="confirmed", now=now, status="cancelled"
    ):
        return BookError.NOT_ACTIVE
    await store.deactivate_members(tx, booking_id)
    if booking.starts_at > now:
        await store.release_places(tx, booking.slot_id, booking.people)
        await waitlist.offer_freed(tx, booking.slot_id, now)
    await booking_events.booking_changed(tx, booking_id, now)
    logger.info("booking cancelled: booking=%s", booking_id)
    return booking


async def reschedule(
    tx: AsyncConnection,
    *,
    booking_id: int,
    user_id: int,
    slot_id: int,
    now: datetime,
    household: Sequence[int] = (),
) -> int | BookError:
    """Move the user's booking to another slot, keeping who comes; returns the booking id."""
    booking = await own_active(tx, booking_id, user_id, household)
    if isinstance(booking, BookError):
        return booking
    if booking.slot_id == slot_id:
        return BookError.SAME_SLOT
    gate = await store.slot_gate(
        tx, slot_id, user_id=user_id, person_ids=(), covers=(), overlapping=()
    )
    problem = _gate_problem(gate, now)
    if problem is not None or gate is None:
        return problem or BookError.NOT_FOUND
    if not await store.take_places(tx, slot_id, booking.people):
        return BookError.FULL
    await store.set_booking(
        tx, booking_id, expect="confirmed", now=now, slot_id=slot_id, session_id=gate.session_id
    )
    if booking.starts_at > now:
        await store.release_places(tx, booking.slot_id, booking.people)
        await waitlist.offer_freed(tx, booking.slot_id, now)
    await booking_events.booking_changed(tx, booking_id, now)
    logger.info("booking moved: booking=%s slot=%s", booking_id, slot_id)
    return booking_id


async def my_bookings(
    tx: AsyncConnection, user_id: int, now: datetime, household: Sequence[int] = ()
) -> list[store.Booking]:
    """The user's confirmed bookings, and those of their household made by others, soonest
    first, that have not ended."""
    found = {b.id: b for b in await store.user_bookings(tx, user_id)}
    found.update({b.id: b for b in await store.person_bookings(tx, household)})
    return sorted((b for b in found.values() if b.ends_at > now), key=lambda b: b.starts_at)


async def household_ids(tx: AsyncConnection, person_id: int | None) -> list[int]:
    """The roster ids of the person's household (empty when not linked)."""
    return [m.person_id for m in await household(tx, person_id)]


async def holders(
    tx: AsyncConnection, person_ids: Sequence[int], service: str, now: datetime
) -> list[store.Booking]:
    """The coming bookings in which these people already hold `service` (or part of it)."""
    return [
        b
        for b in await store.person_bookings(tx, person_ids)
        if b.ends_at > now and overlaps(b.service, service)
    ]


async def bookers(tx: AsyncConnection, user_ids: Sequence[int]) -> dict[int, str]:
    """The roster names of the chat users who made bookings."""
    return await store.names_of_users(tx, user_ids)


async def join_booking(
    tx: AsyncConnection,
    *,
    booking_id: int,
    user_id: int,
    household: Sequence[int],
    person_ids: Sequence[int],
    now: datetime,
) -> int | BookError:
    """Add household members to a household booking, if its slot has room for them."""
    booking = await own_active(tx, booking_id, user_id, household)
    if isinstance(booking, BookError):
        return booking
    if booking.starts_at <= now:
        return BookError.PAST
    wanted = set(COVERS[Service(booking.service)])
    holding = {
        pid for pid, svc in await store.active_services_of_persons(tx, person_ids) if svc in wanted
    }
    new = [p for p in person_ids if p in household and p not in holding]
    if not new:
        return booking.id
    if not await store.take_places(tx, booking.slot_id, len(new)):
        return BookError.FULL
    await store.insert_members(tx, booking.id, new, COVERS[Service(booking.service)])
    await store.add_people(tx, booking.id, len(new))
    await booking_events.booking_changed(tx, booking.id, now)
    return booking.id


async def household(tx: AsyncConnection, person_id: int | None) -> list[store.Member]:
    """Who may be booked together with this person: their household on the roster."""
    return await store.household_members(tx, person_id) if person_id else []


async def session_info(
    tx: AsyncConnection, session_id: int, now: datetime
) -> store.Session | None:
    return await store.session(tx, session_id, now)


async def slots_ahead(tx: AsyncConnection, session_id: int, now: datetime) -> list[store.Slot]:
    """The session's slots that have not started."""
    return [s for s in await store.slots(tx, session_id) if s.starts_at > now]


async def slot_info(tx: AsyncConnection, slot_id: int) -> store.Slot | None:
    return await store.slot(tx, slot_id)


async def booking_info(tx: AsyncConnection, booking_id: int) -> store.Booking | None:
    return await store.booking(tx, booking_id)


async def names(tx: AsyncConnection, booking_ids: Sequence[int]) -> dict[int, list[str]]:
    """The names booked in each booking: roster members, or the names typed for a head count."""
    return {
        **await store.guest_names(tx, booking_ids),
        **await store.member_names(tx, booking_ids),
    }


def suggested_service(members: Sequence[store.Member], person_id: int | None) -> Service | None:
    """What the person most likely needs: a card (with level 2), or level 2 alone."""
    me = next((m for m in members if m.person_id == person_id), None)
    if me is None:
        return None
    if not me.has_id_card:
        return Service.BOTH
    return None if me.has_eid_level2 else Service.EID_LEVEL2
