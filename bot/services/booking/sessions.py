"""Sessions at collection points: opening, moving, resizing, cancelling, and finding them."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.services import booking_events
from bot.services.access import managed_communes
from bot.services.booking import notices, waitlist
from bot.services.booking.rules import (
    DEFAULT_SLOT_MINUTES,
    MAX_MACHINES,
    MAX_MINUTES_PER_PERSON,
    MAX_SESSION_HOURS,
    SessionError,
    local_moment,
)
from bot.services.identity import Actor
from bot.storage import booking as store
from bot.storage import places

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SessionSpec:
    """What a team lead fills in to open a session (local dates and times)."""

    point_id: int
    day: date
    start: time
    end: time
    machines: int
    minutes_per_person: int
    slot_minutes: int = DEFAULT_SLOT_MINUTES
    is_mobile: bool = False
    cutoff_before: timedelta = timedelta(0)  # bookings close this long before the start

    @property
    def starts_at(self) -> datetime:
        return local_moment(self.day, self.start)

    @property
    def ends_at(self) -> datetime:
        return local_moment(self.day, self.end)


def plan_slots(
    starts_at: datetime, ends_at: datetime, machines: int, minutes_per_person: int, length: int
) -> list[tuple[datetime, datetime, int]]:
    """(start, end, places) per slot: places = machines × slot minutes ÷ minutes per person."""
    out: list[tuple[datetime, datetime, int]] = []
    cursor = starts_at
    while cursor < ends_at:
        end = min(cursor + timedelta(minutes=length), ends_at)
        minutes = int((end - cursor).total_seconds() // 60)
        places = machines * minutes // minutes_per_person
        if places > 0:
            out.append((cursor, end, places))
        cursor = end
    return out


def check_spec(spec: SessionSpec, now: datetime) -> SessionError | None:
    """Why this session cannot be opened, or None."""
    if spec.starts_at <= now:
        return SessionError.PAST
    if spec.ends_at <= spec.starts_at:
        return SessionError.END_BEFORE_START
    if spec.ends_at - spec.starts_at > timedelta(hours=MAX_SESSION_HOURS):
        return SessionError.TOO_LONG
    if not 1 <= spec.machines <= MAX_MACHINES:
        return SessionError.MACHINES
    if not 1 <= spec.minutes_per_person <= MAX_MINUTES_PER_PERSON or not (
        5 <= spec.slot_minutes <= 240
    ):
        return SessionError.MINUTES
    if spec.cutoff_before < timedelta(0) or spec.starts_at - spec.cutoff_before <= now:
        return SessionError.CUTOFF
    slots = plan_slots(
        spec.starts_at, spec.ends_at, spec.machines, spec.minutes_per_person, spec.slot_minutes
    )
    return None if slots else SessionError.NO_PLACES


async def open_session(
    tx: AsyncConnection, spec: SessionSpec, *, now: datetime, created_by: int | None
) -> int | SessionError:
    """Create the session and its slots; returns its id, or why not."""
    problem = check_spec(spec, now)
    if problem is not None:
        return problem
    if await store.point(tx, spec.point_id) is None:
        return SessionError.NOT_FOUND
    session_id = await store.insert_session(
        tx,
        {
            "point_id": spec.point_id,
            "day": spec.day,
            "starts_at": spec.starts_at,
            "ends_at": spec.ends_at,
            "machines": spec.machines,
            "minutes_per_person": spec.minutes_per_person,
            "slot_minutes": spec.slot_minutes,
            "is_mobile": spec.is_mobile,
            "cutoff_at": spec.starts_at - spec.cutoff_before,
            "status": "open",
            "created_by": created_by,
            "created_at": now,
            "updated_at": now,
        },
    )
    await store.insert_slots(
        tx,
        [
            {"session_id": session_id, "starts_at": s, "ends_at": e, "capacity": n, "taken": 0}
            for s, e, n in plan_slots(
                spec.starts_at,
                spec.ends_at,
                spec.machines,
                spec.minutes_per_person,
                spec.slot_minutes,
            )
        ],
    )
    logger.info("session opened: id=%s point=%s", session_id, spec.point_id)
    return session_id


async def _open_ahead(
    tx: AsyncConnection, actor: Actor, session_id: int, now: datetime
) -> store.Session | SessionError:
    """The session, if open and not over, and managed by the actor (checked before writes)."""
    session = await store.session(tx, session_id, now)
    if session is None:
        return SessionError.NOT_FOUND
    if not may_manage(actor, session.commune_id):
        return SessionError.NOT_ALLOWED
    if session.status != "open" or session.ends_at <= now:
        return SessionError.NOT_OPEN
    return session


async def move_session(
    tx: AsyncConnection, actor: Actor, session_id: int, *, day: date, start: time, now: datetime
) -> int | SessionError:
    """Move a session (same length) to a new day and start; tells everyone booked.

    Returns how many bookings were told.
    """
    session = await _open_ahead(tx, actor, session_id, now)
    if isinstance(session, SessionError):
        return session
    new_start = local_moment(day, start)
    if new_start <= now:
        return SessionError.PAST
    delta = new_start - session.starts_at
    if not delta:
        return 0
    await store.shift_slots(tx, session_id, delta)
    await store.update_session(
        tx,
        session_id,
        day=day,
        starts_at=session.starts_at + delta,
        ends_at=session.ends_at + delta,
        cutoff_at=max(session.cutoff_at + delta, now),
        updated_at=now,
    )
    told = 0
    stamp = int(new_start.timestamp())
    for booking in await store.session_bookings(tx, session_id):
        key = f"booking:moved:{booking.id}:{stamp}"
        told += await notices.send(
            tx, booking.user_id, key, now, lambda b=booking: notices.moved_session(b)
        )
        await booking_events.booking_changed(tx, booking.id, now)
    logger.info("session moved: id=%s by=%s", session_id, delta)
    return told


async def set_machines(
    tx: AsyncConnection, actor: Actor, session_id: int, machines: int, now: datetime
) -> int | SessionError:
    """Change the number of machines; returns the session's new number of places."""
    session = await _open_ahead(tx, actor, session_id, now)
    if isinstance(session, SessionError):
        return session
    if not 1 <= machines <= MAX_MACHINES:
        return SessionError.MACHINES
    current = await store.slots(tx, session_id)
    sizes = [
        machines
        * int((s.ends_at - s.starts_at).total_seconds() // 60)
        // session.minutes_per_person
        for s in current
    ]
    if any(size < slot.taken for size, slot in zip(sizes, current, strict=True)):
        return SessionError.OVERFULL
    for size, slot in zip(sizes, current, strict=True):
        await store.set_capacity(tx, slot.id, size)
    await store.update_session(tx, session_id, machines=machines, updated_at=now)
    for slot in current:
        await waitlist.offer_freed(tx, slot.id, now)
    return sum(sizes)


async def cancel_session(
    tx: AsyncConnection, actor: Actor, session_id: int, now: datetime
) -> int | SessionError:
    """Cancel a session and its bookings; tells everyone booked, with the next options."""
    session = await _open_ahead(tx, actor, session_id, now)
    if isinstance(session, SessionError):
        return session
    if not await store.close_session(tx, session_id, now):
        return SessionError.NOT_OPEN
    told = 0
    for booking in await store.session_bookings(tx, session_id):
        await store.set_booking(tx, booking.id, expect="confirmed", now=now, status="cancelled")
        await store.deactivate_members(tx, booking.id)
        await store.release_places(tx, booking.slot_id, booking.people)
        options = await next_open_slots(
            tx,
            village_id=await _village_of_user(tx, booking.user_id),
            now=now,
            limit=3,
            exclude_session=session_id,
        )
        told += await notices.send(
            tx,
            booking.user_id,
            f"booking:session-cancelled:{session_id}:{booking.id}",
            now,
            lambda b=booking, o=options: notices.cancelled_session(b, o),
        )
        await booking_events.booking_changed(tx, booking.id, now)
    await waitlist.drop_session(tx, session_id)
    logger.info("session cancelled: id=%s told=%s", session_id, told)
    return told


def may_manage(actor: Actor, commune_id: int) -> bool:
    """A province admin manages every session; team leads and commune admins their communes'."""
    communes = managed_communes(actor)
    return communes is None or commune_id in communes


async def managed_sessions(
    tx: AsyncConnection, actor: Actor, now: datetime
) -> list[store.Session]:
    """Sessions not over yet that this team lead or admin manages."""
    return await store.sessions_ahead(tx, now, commune_ids=managed_communes(actor))


def _rank(point_village: int | None, point_island: bool, village: int | None, island: bool) -> int:
    """0: in the resident's village; 1: same side of the water; 2: across the water."""
    if village is not None and point_village == village:
        return 0
    return 1 if point_island == island else 2


async def sessions_for_resident(
    tx: AsyncConnection, *, village_id: int | None, now: datetime, limit: int = 8
) -> list[store.Session]:
    """Sessions still open for booking: the resident's village first, then the nearest."""
    island = bool(village_id and await store.village_is_island(tx, village_id))
    found = [s for s in await store.sessions_ahead(tx, now, limit=200) if s.cutoff_at > now]
    found.sort(key=lambda s: (_rank(s.village_id, s.is_island, village_id, island), s.starts_at))
    return found[:limit]


async def next_open_slots(
    tx: AsyncConnection,
    *,
    village_id: int | None,
    now: datetime,
    limit: int = 3,
    exclude_session: int | None = None,
) -> list[store.OpenSlot]:
    """The next bookable slots with free places, nearest to the village first."""
    island = bool(village_id and await store.village_is_island(tx, village_id))
    found = await store.open_slots(tx, now, exclude_session=exclude_session)
    found.sort(key=lambda s: (_rank(s.village_id, s.is_island, village_id, island), s.starts_at))
    return found[:limit]


async def _village_of_user(tx: AsyncConnection, user_id: int) -> int | None:
    person_id = await store.person_of_user(tx, user_id)
    home = await store.home_of(tx, person_id) if person_id else None
    return home.village_id if home else None


async def village_of_person(tx: AsyncConnection, person_id: int | None) -> int | None:
    home = await store.home_of(tx, person_id) if person_id else None
    return home.village_id if home else None


async def points_for(tx: AsyncConnection, actor: Actor) -> list[store.Point]:
    """Collection points this team lead or admin may open sessions at."""
    return await store.points(tx, managed_communes(actor))


async def villages_for(tx: AsyncConnection, actor: Actor) -> list[places.Village]:
    """Villages a team lead or admin may place a collection point in (a province admin: all)."""
    every = await places.all_villages(tx)
    communes = managed_communes(actor)
    return every if communes is None else [v for v in every if v.commune_id in communes]


async def all_villages(tx: AsyncConnection) -> list[places.Village]:
    return await places.all_villages(tx)


async def add_point(
    tx: AsyncConnection, actor: Actor, *, name: str, village_id: int | None, address: str
) -> store.Point | SessionError:
    """A new collection point (or the one with that name) in the actor's commune."""
    villages = {v.id: v for v in await villages_for(tx, actor)}
    if village_id is not None and village_id not in villages:
        return SessionError.NOT_ALLOWED
    communes = sorted(
        {villages[village_id].commune_id}
        if village_id is not None
        else (managed_communes(actor) or {v.commune_id for v in villages.values()})
    )
    if not communes or not name.strip():
        return SessionError.NOT_ALLOWED
    commune_id = communes[0]
    clean = name.strip()[:120]
    existing = await store.point_by_name(tx, commune_id, clean)
    if existing is not None:
        return existing
    point_id = await store.insert_point(
        tx,
        commune_id=commune_id,
        village_id=village_id,
        name=clean,
        address=address.strip()[:200],
        is_island=bool(village_id is not None and villages[village_id].is_island),
    )
    point = await store.point(tx, point_id)
    assert point is not None
    return point


async def point_info(tx: AsyncConnection, point_id: int) -> store.Point | None:
    return await store.point(tx, point_id)
