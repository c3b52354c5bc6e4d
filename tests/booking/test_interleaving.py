"""Places are taken atomically: another booking committed between any two statements of a
booking (as READ COMMITTED lets it be seen) never pushes a slot past its capacity, and a
session never shrinks below what is already booked."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.app import App
from bot.services.booking import reservations, sessions
from bot.services.booking.rules import BookError
from bot.services.booking.sessions import SessionError
from bot.storage import booking as store
from bot.storage import identities
from tests.booking.conftest import ADMIN, Place, add_session


class Interleaved:
    """A connection that runs `other` on itself once, right after its `after`-th statement
    (another transaction's commit, seen as READ COMMITTED shows it); keeps its result."""

    def __init__(
        self, tx: AsyncConnection, after: int, other: Callable[[AsyncConnection], Awaitable[Any]]
    ) -> None:
        self._tx = tx
        self._after = after
        self._other = other
        self.statements = 0
        self.other_ran = False
        self.other_result: Any = None

    async def _step(self, result: object) -> Any:
        self.statements += 1
        if self.statements == self._after and not self.other_ran:
            self.other_ran = True
            self.other_result = await self._other(self._tx)
        return result

    async def execute(self, *args: Any, **kw: Any) -> Any:
        return await self._step(await self._tx.execute(*args, **kw))

    async def scalar(self, *args: Any, **kw: Any) -> Any:
        return await self._step(await self._tx.scalar(*args, **kw))

    async def scalars(self, *args: Any, **kw: Any) -> Any:
        return await self._step(await self._tx.scalars(*args, **kw))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tx, name)


def _booking_by(user: int, slot_id: int, now: datetime) -> Callable[[AsyncConnection], Any]:
    """Another resident booking one place in the slot."""
    return lambda tx: reservations.book(
        tx, user_id=user, slot_id=slot_id, service="eid_level2", now=now
    )


async def _users(app: App, n: int) -> list[int]:
    async with app.db.write() as tx:
        return [await identities.create_user(tx, app.clock.now()) for _ in range(n)]


async def _one_place_slot(app: App, place: Place, day_offset: int) -> store.Slot:
    session_id = await add_session(
        app,
        place.police,
        day=app.clock.now().date() + timedelta(days=day_offset),
        end=time(7, 10),
        machines=1,
        minutes=10,
        slot_minutes=10,
    )
    async with app.db.read() as tx:
        (slot,) = await store.slots(tx, session_id)
    assert slot.capacity == 1
    return slot


async def test_a_booking_committed_between_any_two_statements_never_overfills(
    app: App, place: Place
) -> None:
    now = app.clock.now()
    after = 1
    while True:
        slot = await _one_place_slot(app, place, after)
        first, second = await _users(app, 2)
        async with app.db.write() as tx:
            spy = Interleaved(tx, after, _booking_by(second, slot.id, now))
            mine = await reservations.book(
                spy,  # type: ignore[arg-type]
                user_id=first,
                slot_id=slot.id,
                service="eid_level2",
                now=now,
            )
        if not spy.other_ran:
            break  # the other booking has been tried after every statement
        outcomes = [mine, spy.other_result]
        assert sum(isinstance(r, int) for r in outcomes) == 1, (after, outcomes)
        assert BookError.FULL in outcomes, (after, outcomes)
        async with app.db.read() as tx:
            assert (await store.slot(tx, slot.id)).taken == 1  # type: ignore[union-attr]
        after += 1
    assert after > 3  # the booking took several statements, each one tried


async def test_moving_into_a_place_taken_meanwhile_is_refused(app: App, place: Place) -> None:
    now = app.clock.now()
    after = 1
    while True:
        slot = await _one_place_slot(app, place, 2 * after)
        elsewhere = await _one_place_slot(app, place, 2 * after + 1)
        mover, other_user = await _users(app, 2)
        async with app.db.write() as tx:
            booking = await reservations.book(
                tx, user_id=mover, slot_id=elsewhere.id, service="eid_level2", now=now
            )
        assert isinstance(booking, int)
        async with app.db.write() as tx:
            spy = Interleaved(tx, after, _booking_by(other_user, slot.id, now))
            moved = await reservations.reschedule(
                spy,  # type: ignore[arg-type]
                booking_id=booking,
                user_id=mover,
                slot_id=slot.id,
                now=now,
            )
        if not spy.other_ran:
            break
        outcomes = [moved, spy.other_result]
        assert sum(isinstance(r, int) for r in outcomes) == 1, (after, outcomes)
        async with app.db.read() as tx:
            assert (await store.slot(tx, slot.id)).taken == 1  # type: ignore[union-attr]
        after += 1


async def test_fewer_machines_never_leave_fewer_places_than_booked(app: App, place: Place) -> None:
    now = app.clock.now()
    # Two machines, 30-minute slots, 10 minutes a person: 6 places a slot.
    session_id = await add_session(app, place.police, end=time(8, 0), machines=2)
    async with app.db.read() as tx:
        first, _ = await store.slots(tx, session_id)
    assert first.capacity == 6
    (user,) = await _users(app, 1)
    async with app.db.write() as tx:
        booked = await reservations.book(
            tx, user_id=user, slot_id=first.id, service="eid_level2", now=now, people=4
        )
    assert isinstance(booked, int)

    async with app.db.write() as tx:
        refused = await sessions.set_machines(tx, ADMIN, session_id, 1, now)  # 3 places < 4 booked
    assert refused is SessionError.OVERFULL
    async with app.db.read() as tx:
        assert [s.capacity for s in await store.slots(tx, session_id)] == [6, 6]
        assert (await store.session(tx, session_id, now)).machines == 2  # type: ignore[union-attr]

    async with app.db.write() as tx:
        grown = await sessions.set_machines(tx, ADMIN, session_id, 3, now)
    assert grown == 18
    async with app.db.read() as tx:
        assert [s.capacity for s in await store.slots(tx, session_id)] == [9, 9]
