"""Real races: many connections (PostgreSQL) or processes (SQLite) at one resource at once.

Each rule must hold without the in-process write lock SQLite uses: the capacity check, a
waitlist offer, a check-in and a one-time invite are each decided by one conditional
statement (or a row lock), so these tests fail if any becomes "read, then write".
"""

from __future__ import annotations

from datetime import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.services import identity
from bot.services.booking import reservations, waitlist
from bot.storage import booking as store
from bot.storage import identities
from bot.storage.tables.booking import bookings, waitlist_entries
from bot.storage.tables.core import roles
from tests.booking.conftest import add_session, seed_place
from tests.concurrency.racer import race_in_process, race_in_processes

CONNECTIONS = 60  # at once, on PostgreSQL
PROCESSES = 4  # on SQLite, each with a share of the attempts

# Separate processes start slowly on a busy machine; the races themselves are quick.
pytestmark = pytest.mark.timeout(300)


async def _race(
    app: App, engine: str, tmp_path: Path, kind: str, params: dict[str, Any], n: int
) -> list[str]:
    params = {"now": app.clock.now().isoformat(), **params}
    url = app.settings.db_url
    if engine == "postgresql":
        return await race_in_process(url, kind, params, n)
    return race_in_processes(url, kind, params, n, PROCESSES, tmp_path)


async def _users(app: App, n: int) -> list[int]:
    async with app.db.write() as tx:
        return [await identities.create_user(tx, app.clock.now()) for _ in range(n)]


async def test_racers_never_overbook_a_slot(app: App, engine: str, tmp_path: Path) -> None:
    place = await seed_place(app)
    # 2 machines × 30 minutes ÷ 3 minutes = 20 places in one slot.
    session_id = await add_session(app, place.police, end=time(7, 30), machines=2, minutes=3)
    async with app.db.read() as tx:
        (slot,) = await store.slots(tx, session_id)
    assert slot.capacity == 20
    users = await _users(app, CONNECTIONS)
    results = await _race(
        app, engine, tmp_path, "book", {"slot_id": slot.id, "users": users}, CONNECTIONS
    )
    assert results.count("booked") == 20
    assert results.count("full") == CONNECTIONS - 20
    async with app.db.read() as tx:
        assert await tx.scalar(select(func.count()).select_from(bookings)) == 20
        assert (await store.slot(tx, slot.id)).taken == 20  # type: ignore[union-attr]


async def test_places_freed_at_once_are_offered_once_each(
    app: App, engine: str, tmp_path: Path
) -> None:
    place = await seed_place(app)
    # 20 slots of one place each, all booked; 5 people waiting; all 20 cancel at once.
    session_id = await add_session(
        app, place.police, start=time(7, 0), end=time(17, 0), machines=1, minutes=30
    )
    async with app.db.read() as tx:
        slots = await store.slots(tx, session_id)
    assert [s.capacity for s in slots] == [1] * 20
    users = await _users(app, 25)
    now = app.clock.now()
    held = []
    async with app.db.write() as tx:
        for user, slot in zip(users, slots, strict=False):
            booking = await reservations.book(
                tx, user_id=user, slot_id=slot.id, service="eid_level2", now=now
            )
            assert isinstance(booking, int)
            held.append((booking, user))
        for user in users[20:]:
            queued = await waitlist.join(
                tx, user_id=user, session_id=session_id, service="eid_level2", people=1, now=now
            )
            assert isinstance(queued, int) and queued > 0
    results = await _race(app, engine, tmp_path, "cancel", {"bookings": held}, 20)
    assert results.count("cancelled") == 20
    async with app.db.read() as tx:
        offered = (
            await tx.execute(
                select(waitlist_entries.c.user_id, waitlist_entries.c.offered_slot_id).where(
                    waitlist_entries.c.status == "offered"
                )
            )
        ).all()
        taken = {s.id: s.taken for s in await store.slots(tx, session_id)}
    assert sorted(user for user, _ in offered) == users[20:]  # each waiting person, once
    assert sum(taken.values()) == 5  # a place is held for each offer, and no more
    assert all(taken[slot] == 1 for _, slot in offered)


async def test_one_check_in_counts_however_many_desks_press_at_once(
    app: App, engine: str, tmp_path: Path
) -> None:
    place = await seed_place(app)
    session_id = await add_session(app, place.police)
    async with app.db.read() as tx:
        slot = (await store.slots(tx, session_id))[0]
    (resident,) = await _users(app, 1)
    async with app.db.write() as tx:
        booking = await reservations.book(
            tx,
            user_id=resident,
            slot_id=slot.id,
            service="both",
            now=app.clock.now(),
            person_ids=place.household[:2],
            booker_person_id=place.household[0],
        )
    assert isinstance(booking, int)
    staff = await _users(app, CONNECTIONS)
    results = await _race(
        app, engine, tmp_path, "check_in", {"booking_id": booking, "users": staff}, CONNECTIONS
    )
    assert results.count("checked_in") == 1
    assert results.count("not_active") == CONNECTIONS - 1
    async with app.db.read() as tx:
        stored = await store.booking(tx, booking)
    assert stored is not None and stored.status == "arrived"


async def test_a_one_time_invite_grants_one_role_however_many_use_it_at_once(
    app: App, engine: str, tmp_path: Path
) -> None:
    place = await seed_place(app)
    async with app.db.write() as tx:
        code = await identity.create_invite(
            tx, "village_head", app.clock.now(), village_id=place.mainland
        )
    users = await _users(app, CONNECTIONS)
    results = await _race(
        app, engine, tmp_path, "invite", {"code": code, "users": users}, CONNECTIONS
    )
    assert results.count("redeemed") == 1
    assert results.count("used") == CONNECTIONS - 1
    async with app.db.read() as tx:
        granted = await tx.scalar(
            select(func.count()).select_from(roles).where(roles.c.role == "village_head")
        )
    assert granted == 1
