"""Moving and resizing a session through the service: what moves, who is told, what is refused."""

from __future__ import annotations

from datetime import time, timedelta

from sqlalchemy import select

from bot.app import App
from bot.services.booking import reservations, sessions
from bot.services.booking.rules import MAX_MACHINES, SessionError, local_moment
from bot.storage import booking as store
from bot.storage.tables.core import outbox
from tests.booking.conftest import ADMIN, Place, add_session
from tests.driver import ChatDriver


async def _booked_session(app: App, place: Place) -> tuple[int, int]:
    """Tomorrow 07:00-08:00, one resident booked at 07:30; returns (session, booking)."""
    session_id = await add_session(app, place.police, end=time(8, 0))
    user = (await ChatDriver(app, "r1").actor()).user_id
    async with app.db.write() as tx:
        slots = await store.slots(tx, session_id)
        booking = await reservations.book(
            tx, user_id=user, slot_id=slots[1].id, service="eid_level2", now=app.clock.now()
        )
    assert isinstance(booking, int)
    return session_id, booking


async def test_a_moved_session_keeps_its_bookings_and_tells_them(app: App, place: Place) -> None:
    session_id, booking = await _booked_session(app, place)
    now = app.clock.now()
    new_day = now.date() + timedelta(days=3)
    async with app.db.write() as tx:
        told = await sessions.move_session(
            tx, ADMIN, session_id, day=new_day, start=time(13, 0), now=now
        )
    assert told == 1
    async with app.db.read() as tx:
        session = await store.session(tx, session_id, now)
        starts = [s.starts_at for s in await store.slots(tx, session_id)]
        moved = await store.booking(tx, booking)
        keys = list(await tx.scalars(select(outbox.c.key)))
    assert session is not None and session.starts_at == local_moment(new_day, time(13, 0))
    assert session.ends_at - session.starts_at == timedelta(hours=1)  # same length
    assert starts == [local_moment(new_day, time(13, 0)), local_moment(new_day, time(13, 30))]
    assert moved is not None and moved.starts_at == local_moment(new_day, time(13, 30))
    assert any(key.startswith(f"booking:moved:{booking}:") for key in keys)


async def test_moving_to_the_same_time_tells_nobody(app: App, place: Place) -> None:
    session_id, _ = await _booked_session(app, place)
    now = app.clock.now()
    async with app.db.write() as tx:
        told = await sessions.move_session(
            tx, ADMIN, session_id, day=now.date() + timedelta(days=1), start=time(7, 0), now=now
        )
    assert told == 0


async def test_a_session_cannot_move_into_the_past_or_once_closed(app: App, place: Place) -> None:
    session_id, _ = await _booked_session(app, place)
    now = app.clock.now()
    yesterday = now.date() - timedelta(days=1)
    async with app.db.write() as tx:
        assert (
            await sessions.move_session(
                tx, ADMIN, session_id, day=yesterday, start=time(9, 0), now=now
            )
            is SessionError.PAST
        )
        assert (
            await sessions.move_session(tx, ADMIN, 999, day=now.date(), start=time(9, 0), now=now)
            is SessionError.NOT_FOUND
        )
        await sessions.cancel_session(tx, ADMIN, session_id, now)
        assert (
            await sessions.move_session(
                tx,
                ADMIN,
                session_id,
                day=now.date() + timedelta(days=2),
                start=time(9, 0),
                now=now,
            )
            is SessionError.NOT_OPEN
        )


async def test_machines_are_between_one_and_the_maximum(app: App, place: Place) -> None:
    session_id, _ = await _booked_session(app, place)
    now = app.clock.now()
    async with app.db.write() as tx:
        for machines in (0, MAX_MACHINES + 1):
            assert await sessions.set_machines(tx, ADMIN, session_id, machines, now) is (
                SessionError.MACHINES
            )
        assert await sessions.set_machines(tx, ADMIN, 999, 2, now) is SessionError.NOT_FOUND
        assert await sessions.set_machines(tx, ADMIN, session_id, 1, now) == 6  # 2 slots of 3


async def test_more_machines_offer_the_new_places_to_those_waiting(app: App, place: Place) -> None:
    from bot.services.booking import waitlist

    session_id = await add_session(app, place.police, end=time(7, 10), machines=1, minutes=10)
    holder, waiting = [(await ChatDriver(app, n).actor()).user_id for n in ("r1", "r2")]
    now = app.clock.now()
    async with app.db.write() as tx:
        (slot,) = await store.slots(tx, session_id)
        await reservations.book(tx, user_id=holder, slot_id=slot.id, service="eid_level2", now=now)
        place_in_line = await waitlist.join(
            tx, user_id=waiting, session_id=session_id, service="eid_level2", people=1, now=now
        )
        assert place_in_line == 1
        assert await sessions.set_machines(tx, ADMIN, session_id, 2, now) == 2
        (slot,) = await store.slots(tx, session_id)
    assert slot.taken == 2  # the new place is held for the one waiting
