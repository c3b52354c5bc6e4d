"""Putting reminders on the table: return dates (people, boats, chat users) and bookings.

Each reminder row has a key naming what it is about; setting the same thing again keeps the
same rows, and a changed date cancels the old rows (so they are never sent) and adds new ones.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core.i18n import to_local
from bot.services import access
from bot.services.identity import Actor
from bot.services.reminders.policy import Policy, at_local, default_policy
from bot.storage import privacy as privacy_store
from bot.storage import reminders as store

logger = logging.getLogger(__name__)


class Kind(StrEnum):
    RETURN_DAY = "return_day"
    FOLLOW_UP = "follow_up"
    BOOKING_EVE = "booking_eve"
    BOOKING_SOON = "booking_soon"


RETURN_KINDS = (Kind.RETURN_DAY, Kind.FOLLOW_UP)
BOOKING_KINDS = (Kind.BOOKING_EVE, Kind.BOOKING_SOON)
_REGISTRATION = re.compile(r"^([A-Z]{2,3})-?(\d{3,6})-?([A-Z]{2})$")


def _row(kind: Kind, key: str, due_at: datetime, now: datetime, **owner: Any) -> dict[str, Any]:
    return {
        "kind": kind.value,
        "key": key,
        "user_id": owner.get("user_id"),
        "person_id": owner.get("person_id"),
        "booking_id": owner.get("booking_id"),
        "due_at": due_at,
        "status": store.SCHEDULED,
        "created_at": now,
        "sent_at": None,
    }


async def _replace(
    tx: AsyncConnection, rows: list[dict[str, Any]], kinds: tuple[Kind, ...], **owner: Any
) -> None:
    """Make `rows` the scheduled reminders of these kinds for this owner."""
    keys = [row["key"] for row in rows]
    await store.cancel(tx, kinds=[k.value for k in kinds], keep_keys=keys, **owner)
    await store.insert(tx, rows)
    await store.revive(tx, keys, {row["key"]: row["due_at"] for row in rows})


def return_rows(
    return_on: date, now: datetime, policy: Policy, *, person_id: int | None, user_id: int | None
) -> list[dict[str, Any]]:
    """The return-day reminder and its follow-ups for one person (or unlinked user)."""
    owner = f"p{person_id}" if person_id is not None else f"u{user_id}"
    rows = []
    for seq, days in enumerate((0, *policy.followup_days)):
        due = policy.send_time(at_local(return_on + timedelta(days=days), policy.remind_at), now)
        kind = Kind.RETURN_DAY if seq == 0 else Kind.FOLLOW_UP
        key = f"ret:{owner}:{return_on.isoformat()}:{seq}"
        rows.append(_row(kind, key, due, now, person_id=person_id, user_id=user_id))
    return rows


async def set_away(
    tx: AsyncConnection,
    *,
    user_id: int,
    person_id: int | None,
    return_on: date,
    now: datetime,
    policy: Policy | None = None,
) -> datetime:
    """Store "away until `return_on`" and schedule the return-day reminders; returns when."""
    policy = policy or default_policy()
    if person_id is not None:
        await store.set_persons_away(tx, [person_id], return_on, now)
        rows = return_rows(return_on, now, policy, person_id=person_id, user_id=None)
        await _replace(tx, rows, RETURN_KINDS, person_ids=[person_id])
    else:
        await store.set_user_away(tx, user_id, return_on, now)
        rows = return_rows(return_on, now, policy, person_id=None, user_id=user_id)
        await _replace(tx, rows, RETURN_KINDS, user_id=user_id)
    logger.info("away set: user=%s person=%s", user_id, person_id)
    return rows[0]["due_at"]


def normalize_registration(text: str) -> str | None:
    """ "kh 91234 ts" → "KH91234TS" (the form boats are looked up by), or None."""
    compact = re.sub(r"[\s.]", "", text.upper())
    found = _REGISTRATION.match(compact)
    return "".join(found.groups()) if found else None


class BoatError(StrEnum):
    BAD_NUMBER = "bad_number"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class BoatSet:
    registration: str
    crew: int
    previous: date | None
    other_villages: tuple[tuple[str, int], ...] = ()  # crew living in other villages


async def find_boat(
    tx: AsyncConnection, actor: Actor, registration: str
) -> store.Boat | BoatError:
    """The boat with this registration number, if the actor looks after its village."""
    wanted = normalize_registration(registration)
    if wanted is None:
        return BoatError.BAD_NUMBER
    boat = await store.boat_by_registration(tx, wanted)
    visible = await access.visible_villages(tx, actor)
    if boat is None or boat.village_id is None or boat.village_id not in visible:
        return BoatError.UNKNOWN  # one answer: "no such boat" tells nothing about others'
    return boat


async def set_boat_return(
    tx: AsyncConnection,
    actor: Actor,
    registration: str,
    return_on: date,
    now: datetime,
    policy: Policy | None = None,
) -> BoatSet | BoatError:
    """Set a boat's return date for its whole crew; their old reminders are cancelled."""
    policy = policy or default_policy()
    wanted = normalize_registration(registration)
    if wanted is None:
        return BoatError.BAD_NUMBER
    boat = await store.boat_by_registration(tx, wanted)
    if (
        boat is None
        or boat.village_id is None
        or boat.village_id not in await access.visible_villages(tx, actor)
    ):
        return BoatError.UNKNOWN  # the same answer as for a boat that does not exist
    await store.set_boat_return(tx, boat.id, return_on)
    crew = await store.crew(tx, boat.id)
    if crew:
        await store.set_persons_away(tx, crew, return_on, now)
        rows = [
            row
            for person_id in crew
            for row in return_rows(return_on, now, policy, person_id=person_id, user_id=None)
        ]
        await _replace(tx, rows, RETURN_KINDS, person_ids=crew)
    logger.info("boat return set: boat=%s crew=%s by user=%s", boat.id, len(crew), actor.user_id)
    others = tuple(
        (name, count)
        for village_id, name, count in await privacy_store.crew_by_village(tx, crew)
        if village_id != boat.village_id
    )
    return BoatSet(boat.registration, len(crew), boat.return_on, others)


async def booking_changed(tx: AsyncConnection, booking_id: int, now: datetime) -> None:
    """Follow a booking: schedule, move or cancel its reminders; a booking ends follow-ups."""
    policy = default_policy()
    booking = await store.booking_brief(tx, booking_id)
    if booking is None:
        await store.cancel(tx, kinds=BOOKING_KINDS, booking_id=booking_id)
        return
    if booking.status in store.ACTIVE_BOOKING:
        await store.cancel(
            tx, kinds=RETURN_KINDS, user_id=booking.user_id, person_ids=booking.person_ids
        )
    rows = booking_rows(booking, now, policy) if booking.status == "confirmed" else []
    await _replace(tx, rows, BOOKING_KINDS, booking_id=booking_id)


def booking_rows(
    booking: store.BookingBrief, now: datetime, policy: Policy
) -> list[dict[str, Any]]:
    """The evening-before and shortly-before reminders still ahead of `now`."""
    starts = booking.starts_at
    stamp = starts.strftime("%Y%m%d%H%M")
    wanted = (
        (Kind.BOOKING_EVE, at_local(to_local(starts).date() - timedelta(days=1), policy.eve_at)),
        (Kind.BOOKING_SOON, starts - policy.before_slot),
    )
    rows = []
    for kind, moment in wanted:
        due = policy.out_of_quiet(moment)
        if moment <= now or due >= starts:
            continue
        key = f"bk:{booking.booking_id}:{kind.value}:{stamp}"
        rows.append(
            _row(kind, key, due, now, booking_id=booking.booking_id, user_id=booking.user_id)
        )
    return rows
