"""The waiting list through the service: joining, offers held and passed on, leaving."""

from __future__ import annotations

from datetime import time, timedelta

from sqlalchemy import select

from bot.app import App
from bot.services.booking import reservations, sessions, waitlist
from bot.services.booking.rules import BookError
from bot.storage import booking as store
from bot.storage.tables.booking import waitlist_entries
from bot.storage.tables.core import outbox
from tests.booking.conftest import ADMIN, Place, add_session
from tests.driver import ChatDriver

SERVICE = "eid_level2"


async def _user(app: App, name: str) -> int:
    return (await ChatDriver(app, name).actor()).user_id


async def _full_session(app: App, place: Place) -> tuple[int, int, int]:
    """A session of one place, taken; returns (session, slot, booking)."""
    session_id = await add_session(app, place.police, end=time(7, 10), machines=1, minutes=10)
    holder = await _user(app, "holder")
    async with app.db.write() as tx:
        (slot,) = await store.slots(tx, session_id)
        booking = await reservations.book(
            tx,
            user_id=holder,
            slot_id=slot.id,
            service=SERVICE,
            now=app.clock.now(),
        )
    assert isinstance(booking, int)
    return session_id, slot.id, booking


async def _join(app: App, user_id: int, session_id: int) -> int | BookError:
    async with app.db.write() as tx:
        return await waitlist.join(
            tx,
            user_id=user_id,
            session_id=session_id,
            service=SERVICE,
            people=1,
            now=app.clock.now(),
        )


async def _entries(app: App) -> dict[int, str]:
    """Each waiting user's entry status."""
    async with app.db.read() as tx:
        rows = await tx.execute(select(waitlist_entries.c.user_id, waitlist_entries.c.status))
        return {row[0]: row[1] for row in rows}


async def _entry_id(app: App, user_id: int) -> int:
    async with app.db.read() as tx:
        return int(
            await tx.scalar(
                select(waitlist_entries.c.id).where(waitlist_entries.c.user_id == user_id)
            )
        )


async def _free_the_place(app: App, booking: int) -> None:
    holder = await _user(app, "holder")
    async with app.db.write() as tx:
        cancelled = await reservations.cancel(
            tx, booking_id=booking, user_id=holder, now=app.clock.now()
        )
    assert not isinstance(cancelled, BookError)


async def test_joining_gives_a_place_in_line_and_refuses_twice(app: App, place: Place) -> None:
    session_id, _, _ = await _full_session(app, place)
    first, second = await _user(app, "w1"), await _user(app, "w2")
    assert await _join(app, first, session_id) == 1
    assert await _join(app, second, session_id) == 2
    assert await _join(app, first, session_id) is BookError.DUPLICATE
    assert await _join(app, first, session_id + 99) is BookError.NOT_FOUND


async def test_joining_a_session_with_room_offers_the_place_at_once(
    app: App, place: Place
) -> None:
    session_id = await add_session(app, place.police, end=time(7, 10), machines=1, minutes=10)
    waiting = await _user(app, "w1")
    assert await _join(app, waiting, session_id) == 0  # offered at once
    assert (await _entries(app))[waiting] == "offered"


async def test_joining_after_cutoff_or_a_cancelled_session_is_refused(
    app: App, place: Place
) -> None:
    late = await add_session(
        app, place.police, end=time(7, 10), machines=1, minutes=10, cutoff=timedelta(hours=12)
    )
    gone = await add_session(app, place.police, day=app.clock.now().date() + timedelta(days=3))
    app.clock.advance(timedelta(hours=12))  # past the first one's cut-off
    assert await _join(app, await _user(app, "w1"), late) is BookError.CUTOFF
    async with app.db.write() as tx:
        await sessions.cancel_session(tx, ADMIN, gone, app.clock.now())
    assert await _join(app, await _user(app, "w2"), gone) is BookError.CANCELLED


async def test_a_freed_place_is_offered_then_accepted(app: App, place: Place) -> None:
    session_id, slot_id, booking = await _full_session(app, place)
    waiting = await _user(app, "w1")
    await _join(app, waiting, session_id)
    await _free_the_place(app, booking)
    assert (await _entries(app))[waiting] == "offered"
    entry = await _entry_id(app, waiting)
    now = app.clock.now()
    stranger = await _user(app, "w2")
    async with app.db.write() as tx:
        assert await waitlist.accept(tx, entry_id=entry, user_id=stranger, now=now) is (
            BookError.NOT_YOURS
        )
        accepted = await waitlist.accept(tx, entry_id=entry, user_id=waiting, now=now)
    assert isinstance(accepted, int)
    async with app.db.read() as tx:
        assert (await store.booking(tx, accepted)).user_id == waiting  # type: ignore[union-attr]
        assert (await store.slot(tx, slot_id)).taken == 1  # type: ignore[union-attr]
    async with app.db.write() as tx:  # an offer is taken once
        again = await waitlist.accept(tx, entry_id=entry, user_id=waiting, now=now)
    assert again is BookError.NOT_ACTIVE


async def test_a_declined_offer_goes_to_the_next_in_line(app: App, place: Place) -> None:
    session_id, _, booking = await _full_session(app, place)
    first, second = await _user(app, "w1"), await _user(app, "w2")
    await _join(app, first, session_id)
    await _join(app, second, session_id)
    await _free_the_place(app, booking)
    async with app.db.write() as tx:
        declined = await waitlist.decline(
            tx, entry_id=await _entry_id(app, first), user_id=first, now=app.clock.now()
        )
    assert declined is None
    assert await _entries(app) == {first: "declined", second: "offered"}


async def test_an_offer_not_taken_in_time_expires_and_passes_on(app: App, place: Place) -> None:
    session_id, _, booking = await _full_session(app, place)
    first, second = await _user(app, "w1"), await _user(app, "w2")
    await _join(app, first, session_id)
    await _join(app, second, session_id)
    await _free_the_place(app, booking)
    app.clock.advance(timedelta(hours=3, minutes=1))  # OFFER_TTL is three hours
    async with app.db.write() as tx:
        late = await waitlist.accept(
            tx, entry_id=await _entry_id(app, first), user_id=first, now=app.clock.now()
        )
    assert late is BookError.EXPIRED
    assert await _entries(app) == {first: "expired", second: "offered"}

    app.clock.advance(timedelta(hours=3, minutes=1))
    async with app.db.write() as tx:
        assert await waitlist.expire_offers(tx, app.clock.now()) == 1
    assert (await _entries(app))[second] == "expired"
    async with app.db.read() as tx:
        keys = list(await tx.scalars(select(outbox.c.key)))
    assert f"booking:offer-expired:{await _entry_id(app, second)}" in keys


async def test_leaving_the_line_or_giving_back_an_offer(app: App, place: Place) -> None:
    session_id, slot_id, booking = await _full_session(app, place)
    first, second, third = [await _user(app, f"w{n}") for n in range(3)]
    for user in (first, second, third):
        await _join(app, user, session_id)
    now = app.clock.now()
    async with app.db.write() as tx:
        assert not await waitlist.leave(
            tx, entry_id=await _entry_id(app, third), user_id=first, now=now
        )
        assert await waitlist.leave(
            tx, entry_id=await _entry_id(app, third), user_id=third, now=now
        )
    await _free_the_place(app, booking)
    async with app.db.write() as tx:  # the offered one leaves: the place goes on
        assert await waitlist.leave(
            tx, entry_id=await _entry_id(app, first), user_id=first, now=now
        )
    assert await _entries(app) == {first: "cancelled", second: "offered", third: "cancelled"}
    async with app.db.read() as tx:
        assert (await store.slot(tx, slot_id)).taken == 1  # type: ignore[union-attr]


async def test_a_cancelled_session_has_no_waiting_list(app: App, place: Place) -> None:
    session_id, _, _ = await _full_session(app, place)
    waiting = await _user(app, "w1")
    await _join(app, waiting, session_id)
    async with app.db.write() as tx:
        await sessions.cancel_session(tx, ADMIN, session_id, app.clock.now())
    assert await _entries(app) == {waiting: "cancelled"}
