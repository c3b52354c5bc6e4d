"""Check-in at the desk: who came, what was done, and the roster status that follows.

An ID card application taken is not a card issued: it sets persons.id_card_applied_at and
leaves has_id_card alone until the card is handed over. Level 2 registered at the desk sets
has_eid_level2 (the account is approved from that registration).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core.text import fold
from bot.core.understand.people import fits_name
from bot.services import booking_events
from bot.services.booking.rules import BookError, Outcome
from bot.services.booking.sessions import may_manage
from bot.services.identity import Actor
from bot.storage import booking as store

logger = logging.getLogger(__name__)


async def check_in(
    tx: AsyncConnection,
    actor: Actor,
    *,
    booking_id: int,
    outcome: str,
    now: datetime,
    came: Sequence[int] | None = None,
) -> store.Booking | BookError:
    """Mark a confirmed booking arrived (with what was done) or no-show.

    The actor's scope is checked before anything changes: a team lead moved to another
    commune pressing an old button gets NOT_FOUND, and the booking stays as it was.
    `came`: the members who came, when not all did; only they are marked done.
    """
    done = Outcome(outcome)
    booking = await store.booking(tx, booking_id)
    if booking is None:
        return BookError.NOT_FOUND
    session = await store.session(tx, booking.session_id, now)
    if session is None or not may_manage(actor, session.commune_id):
        logger.warning("check-in refused: user=%s booking=%s", actor.user_id, booking_id)
        return BookError.NOT_FOUND
    status = "no_show" if done is Outcome.NO_SHOW else "arrived"
    if not await store.set_booking(
        tx,
        booking_id,
        expect="confirmed",
        now=now,
        status=status,
        outcome=done.value,
        checked_in_by=actor.user_id,
    ):
        return BookError.NOT_ACTIVE
    members = await store.member_ids(tx, booking_id)
    await store.deactivate_members(tx, booking_id)
    await store.mark_persons(
        tx,
        [p for p in members if came is None or p in came],
        now=now,
        id_card_applied=done in (Outcome.ID_CARD, Outcome.BOTH),
        eid_level2=done in (Outcome.EID_LEVEL2, Outcome.BOTH),
    )
    await booking_events.booking_changed(tx, booking_id, now)
    logger.info("checked in: booking=%s outcome=%s", booking_id, done.value)
    return booking


async def desk_list(tx: AsyncConnection, session_id: int) -> list[store.Booking]:
    """Bookings still to check in at a session, by slot."""
    return await store.session_bookings(tx, session_id)


async def find_residents(
    tx: AsyncConnection, commune_id: int, query: str, limit: int = 20
) -> list[store.Resident]:
    """Residents of the commune whose name has words starting with the typed ones."""
    if len(fold(query)) < 2:
        return []
    found = [
        r for r in await store.commune_residents(tx, commune_id) if fits_name(query, r.full_name)
    ]
    return found[:limit]


async def walk_in(
    tx: AsyncConnection,
    actor: Actor,
    *,
    person_id: int,
    commune_id: int,
    outcome: str,
    now: datetime,
) -> store.Resident | BookError:
    """Record what was done for someone who came without a booking (the roster status)."""
    done = Outcome(outcome)
    if not may_manage(actor, commune_id):
        logger.warning("walk-in refused: user=%s person=%s", actor.user_id, person_id)
        return BookError.NOT_FOUND
    person = next(
        (r for r in await store.commune_residents(tx, commune_id) if r.person_id == person_id),
        None,
    )
    if person is None:
        return BookError.NOT_FOUND
    await store.mark_persons(
        tx,
        [person_id],
        now=now,
        id_card_applied=done in (Outcome.ID_CARD, Outcome.BOTH),
        eid_level2=done in (Outcome.EID_LEVEL2, Outcome.BOTH),
    )
    logger.info("walk-in checked in: person=%s outcome=%s", person_id, done.value)
    return person


async def booked_members(tx: AsyncConnection, booking_id: int) -> list[tuple[int, str]]:
    """(person id, name) of the people a booking is for."""
    return await store.members(tx, booking_id)
