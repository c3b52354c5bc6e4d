"""SQL for booking: one-statement checks for the hot paths of booking."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.tables.booking import (
    booking_members,
    booking_sessions,
    booking_slots,
    bookings,
    waitlist_entries,
)
from bot.storage.types import UtcDateTime

# --- one-statement checks for the hot paths ---------------------------------------------
# Built once with bound parameters: a resident racing for a place pays for the SQL round
# trips only, not for building the statements again.


def _holds_clause(with_members: bool) -> Any:
    """EXISTS: one of the people (or, without members, the user) already holds the service."""
    if with_members:
        return (
            select(booking_members.c.id)
            .where(
                booking_members.c.person_id.in_(bindparam("person_ids", expanding=True)),
                booking_members.c.active.is_(True),
                booking_members.c.service.in_(bindparam("covers", expanding=True)),
            )
            .exists()
        )
    has_members = select(booking_members.c.id).where(booking_members.c.booking_id == bookings.c.id)
    return (
        select(bookings.c.id)
        .where(
            bookings.c.user_id == bindparam("user_id"),
            bookings.c.status == "confirmed",
            bookings.c.service.in_(bindparam("overlapping", expanding=True)),
            ~has_members.exists(),
        )
        .exists()
    )


def _slot_gate_query(with_members: bool) -> Any:
    sl, s = booking_slots, booking_sessions
    return (
        select(s.c.id, s.c.status, s.c.cutoff_at, sl.c.starts_at, _holds_clause(with_members))
        .join(s, s.c.id == sl.c.session_id)
        .where(sl.c.id == bindparam("slot_id"))
    )


def _session_gate_query(with_members: bool) -> Any:
    s, sl, w = booking_sessions, booking_slots, waitlist_entries
    free = (
        select(func.coalesce(func.sum(sl.c.capacity - sl.c.taken), 0))
        .where(sl.c.session_id == s.c.id, sl.c.starts_at > bindparam("now", type_=UtcDateTime))
        .scalar_subquery()
    )
    waiting = (
        select(func.count())
        .where(w.c.session_id == s.c.id, w.c.status == "waiting")
        .scalar_subquery()
    )
    mine = (
        select(w.c.id)
        .where(
            w.c.session_id == s.c.id,
            w.c.user_id == bindparam("user_id"),
            w.c.status.in_(("waiting", "offered")),
        )
        .exists()
    )
    return select(
        s.c.status, s.c.cutoff_at, s.c.ends_at, free, waiting, mine, _holds_clause(with_members)
    ).where(s.c.id == bindparam("session_id"))


_SLOT_GATE = {flag: _slot_gate_query(flag) for flag in (False, True)}
_SESSION_GATE = {flag: _session_gate_query(flag) for flag in (False, True)}
_TAKE = (
    update(booking_slots)
    .where(
        booking_slots.c.id == bindparam("slot"),
        booking_slots.c.taken + bindparam("people") <= booking_slots.c.capacity,
    )
    .values(taken=booking_slots.c.taken + bindparam("people"))
)


def _gate_params(
    user_id: int, person_ids: Sequence[int], covers: Sequence[str], overlapping: Sequence[str]
) -> dict[str, Any]:
    if person_ids:
        return {"person_ids": list(person_ids), "covers": list(covers) or [""]}
    return {"user_id": user_id, "overlapping": list(overlapping) or [""]}


async def take_places(tx: AsyncConnection, slot_id: int, people: int) -> bool:
    """Take `people` places in a slot if they are free: one conditional statement."""
    result = await tx.execute(_TAKE, {"slot": slot_id, "people": people})
    return result.rowcount == 1


@dataclass(frozen=True)
class SlotGate:
    session_id: int
    status: str
    cutoff_at: datetime
    starts_at: datetime
    holds: bool  # the people already hold this service


async def slot_gate(
    tx: AsyncConnection,
    slot_id: int,
    *,
    user_id: int,
    person_ids: Sequence[int],
    covers: Sequence[str],
    overlapping: Sequence[str],
) -> SlotGate | None:
    """What decides whether a slot may be booked, read in one statement."""
    params = {"slot_id": slot_id, **_gate_params(user_id, person_ids, covers, overlapping)}
    row = (await tx.execute(_SLOT_GATE[bool(person_ids)], params)).first()
    return SlotGate(*row) if row else None


@dataclass(frozen=True)
class SessionGate:
    status: str
    cutoff_at: datetime
    ends_at: datetime
    free_ahead: int
    waiting: int  # entries waiting now
    already_waiting: bool
    holds: bool


async def session_gate(
    tx: AsyncConnection,
    session_id: int,
    now: datetime,
    *,
    user_id: int,
    person_ids: Sequence[int],
    covers: Sequence[str],
    overlapping: Sequence[str],
) -> SessionGate | None:
    """What decides whether the user may join the session's waiting list, in one statement."""
    params = {
        "session_id": session_id,
        "now": now,
        **_gate_params(user_id, person_ids, covers, overlapping),
        "user_id": user_id,
    }
    row = (await tx.execute(_SESSION_GATE[bool(person_ids)], params)).first()
    return SessionGate(*row) if row else None
