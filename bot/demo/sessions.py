"""Demo sessions for the coming week: commune police, an island border post, village halls."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.services.booking import reservations
from bot.services.booking.rules import local_today
from bot.services.booking.sessions import SessionSpec, open_session
from bot.storage import booking as store
from bot.storage import identities, places
from bot.storage.tables.core import households, persons

# (place, village name or None for the whole commune, address)
POINTS = (
    ("Công an xã Vạn Thạnh", None, "Trụ sở Công an xã, thôn Đầm Môn"),
    ("Đồn Biên phòng Điệp Sơn", "Điệp Sơn", "Bến tàu Điệp Sơn"),
    ("Nhà văn hóa thôn Đầm Môn", "Đầm Môn", "Cạnh chợ Đầm Môn"),
    ("Nhà văn hóa thôn Khải Lương", "Khải Lương", "Đường liên thôn Khải Lương"),
)
# (point index, days ahead, start, end, machines, minutes per person, mobile, cutoff hours)
SESSIONS = (
    (0, 1, time(7, 30), time(11, 0), 2, 6, False, 0),
    (0, 1, time(13, 30), time(17, 0), 2, 6, False, 0),
    (0, 3, time(7, 30), time(11, 0), 3, 6, False, 0),
    (0, 5, time(7, 30), time(11, 0), 2, 6, False, 0),
    (1, 3, time(8, 0), time(15, 0), 2, 8, True, 24),  # island trip: list closes the day before
    (2, 2, time(7, 0), time(22, 0), 2, 8, False, 0),  # village hall, 7 a.m. to 10 p.m.
    (3, 4, time(7, 0), time(22, 0), 1, 8, False, 0),
    (2, 6, time(8, 0), time(11, 0), 1, 15, True, 24),  # home round for the bedridden
)


async def seed_sessions(tx: AsyncConnection, now: datetime) -> None:
    """Open the demo sessions and book a few households into the first one."""
    villages = {v.name: v for v in await places.all_villages(tx)}
    if not villages:
        return
    commune_id = next(iter(villages.values())).commune_id
    point_ids = []
    for name, village_name, address in POINTS:
        village = villages.get(village_name) if village_name else None
        point_ids.append(
            await store.insert_point(
                tx,
                commune_id=commune_id,
                village_id=village.id if village else None,
                name=name,
                address=address,
                is_island=bool(village and village.is_island),
            )
        )
    today = local_today(now)
    first = None
    for point, ahead, start, end, machines, minutes, mobile, cutoff in SESSIONS:
        spec = SessionSpec(
            point_id=point_ids[point],
            day=today + timedelta(days=ahead),
            start=start,
            end=end,
            machines=machines,
            minutes_per_person=minutes,
            is_mobile=mobile,
            cutoff_before=timedelta(hours=cutoff),
        )
        session_id = await open_session(tx, spec, now=now, created_by=None)
        first = first or (session_id if isinstance(session_id, int) else None)
    if first is not None and "Đầm Môn" in villages:
        await _book_some(tx, first, villages["Đầm Môn"].id, now)


async def _book_some(tx: AsyncConnection, session_id: int, village_id: int, now: datetime) -> None:
    """Three households of Đầm Môn, each booked by its first member, without a card yet."""
    rows = await tx.execute(
        select(persons.c.id, persons.c.household_id)
        .join(households, households.c.id == persons.c.household_id)
        .where(households.c.village_id == village_id, persons.c.has_id_card.is_(False))
        .order_by(persons.c.id)
        .limit(40)
    )
    seen: set[int] = set()
    slots = await store.slots(tx, session_id)
    for person_id, household_id in rows:
        if household_id in seen or len(seen) >= 3:
            continue
        seen.add(household_id)
        user_id = await identities.create_user(tx, now)
        await identities.set_person(tx, user_id, person_id)
        await reservations.book(
            tx,
            user_id=user_id,
            slot_id=slots[len(seen) - 1].id,
            service="both",
            now=now,
            person_ids=[person_id],
            booker_person_id=person_id,
        )
