"""The booking service on its own: capacity, the one-per-person rule, cut-off, past, races."""

from __future__ import annotations

import asyncio
from datetime import time, timedelta

from sqlalchemy import func, select

from bot.app import App
from bot.services.booking import reservations
from bot.services.booking.rules import BookError
from bot.services.booking.sessions import plan_slots
from bot.storage import booking as store
from bot.storage import identities
from bot.storage.tables.booking import bookings
from tests.booking.conftest import Place, add_session


async def _users(app: App, n: int) -> list[int]:
    async with app.db.write() as tx:
        return [await identities.create_user(tx, app.clock.now()) for _ in range(n)]


async def _book(app: App, user_id: int, slot_id: int, **kw: object) -> int | BookError:
    async with app.db.write() as tx:
        return await reservations.book(
            tx, user_id=user_id, slot_id=slot_id, service="eid_level2", now=app.clock.now(), **kw
        )  # type: ignore[arg-type]


async def _slots(app: App, session_id: int) -> list[store.Slot]:
    async with app.db.read() as tx:
        return await store.slots(tx, session_id)


def test_places_follow_machines_slot_length_and_minutes() -> None:
    from datetime import UTC, datetime

    start = datetime(2027, 1, 1, 0, 0, tzinfo=UTC)
    planned = plan_slots(start, start + timedelta(minutes=75), 3, 10, 30)
    assert [p for *_, p in planned] == [9, 9, 4]  # 3 × 30 ÷ 10, and 3 × 15 ÷ 10 at the end


async def test_many_coroutines_race_for_the_last_place(app: App, place: Place) -> None:
    session_id = await add_session(app, place.police, end=time(7, 30), machines=1, minutes=10)
    (slot,) = await _slots(app, session_id)
    assert slot.capacity == 3
    users = await _users(app, 60)
    results = await asyncio.gather(*(_book(app, u, slot.id) for u in users))
    assert sum(isinstance(r, int) for r in results) == 3
    assert results.count(BookError.FULL) == 57
    async with app.db.read() as tx:
        stored = await tx.scalar(select(func.count()).select_from(bookings))
    assert stored == 3
    assert (await _slots(app, session_id))[0].taken == 3


async def test_one_active_booking_per_person_and_service(app: App, place: Place) -> None:
    session_id = await add_session(app, place.police)
    first, second = (await _slots(app, session_id))[:2]
    (user,) = await _users(app, 1)
    head = place.household[0]
    assert isinstance(
        await _book(app, user, first.id, person_ids=[head], booker_person_id=head), int
    )
    again = await _book(
        app, user, second.id, person_ids=[head, place.household[1]], booker_person_id=head
    )
    assert again is BookError.DUPLICATE
    assert (await _slots(app, session_id))[1].taken == 0


async def test_no_booking_after_cutoff_or_in_the_past(app: App, place: Place) -> None:
    session_id = await add_session(app, place.police, cutoff=timedelta(hours=2))
    slot = (await _slots(app, session_id))[-1]
    (user,) = await _users(app, 1)
    app.clock.advance(timedelta(hours=22))  # tomorrow 06:00 local, the cut-off was 05:00
    assert await _book(app, user, slot.id) is BookError.CUTOFF
    app.clock.advance(timedelta(days=1))
    assert await _book(app, user, slot.id) is BookError.PAST
