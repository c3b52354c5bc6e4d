"""The waiting list: a freed place is held for the next in line for a while, then passed on."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.services.booking import notices, records
from bot.services.booking.rules import COVERS, OFFER_TTL, BookError, Service, overlapping
from bot.storage import booking as store

logger = logging.getLogger(__name__)


async def join(
    tx: AsyncConnection,
    *,
    user_id: int,
    session_id: int,
    service: str,
    people: int,
    person_ids: Sequence[int] = (),
    now: datetime,
) -> int | BookError:
    """Put the user on the session's waiting list; returns their place in the queue.

    0 means a place was free after all and has been offered at once (see the message).
    """
    wanted = Service(service)
    gate = await store.session_gate(
        tx,
        session_id,
        now,
        user_id=user_id,
        person_ids=person_ids,
        covers=COVERS[wanted],
        overlapping=overlapping(wanted),
    )
    if gate is None:
        return BookError.NOT_FOUND
    if gate.status != "open":
        return BookError.CANCELLED
    if gate.cutoff_at <= now or gate.ends_at <= now:
        return BookError.CUTOFF
    if gate.already_waiting or gate.holds:
        return BookError.DUPLICATE
    entry_id = await store.insert_wait(
        tx,
        {
            "session_id": session_id,
            "user_id": user_id,
            "service": wanted.value,
            "people": len(person_ids) or people,
            "person_ids": ",".join(str(p) for p in person_ids),
            "status": "waiting",
            "created_at": now,
        },
    )
    if gate.free_ahead > 0 and await offer_freed(tx, None, now, session_id=session_id):
        entry = await store.wait_entry(tx, entry_id)
        if entry is not None and entry.status == "offered":
            return 0
    return gate.waiting + 1


async def offer_freed(
    tx: AsyncConnection, slot_id: int | None, now: datetime, *, session_id: int | None = None
) -> int:
    """Offer the free places of a slot (or of a whole session) to those waiting, in order.

    Each offer holds its places until it is accepted, declined or expires. Returns how many
    offers were made.
    """
    slots = (
        [s for s in [await store.slot(tx, slot_id)] if s is not None]
        if slot_id is not None
        else await store.slots(tx, session_id or 0)
    )
    made = 0
    for slot in slots:
        if slot.starts_at <= now or slot.free <= 0:
            continue
        session = await store.session(tx, slot.session_id, now)
        if session is None or session.status != "open" or session.cutoff_at <= now:
            continue
        while slot.starts_at > now and slot.free > 0:
            entry = await store.first_waiting(tx, slot.session_id, slot.free)
            if entry is None or not await store.take_places(tx, slot.id, entry.people):
                break
            expires = min(now + OFFER_TTL, slot.starts_at)
            if not await store.set_wait(
                tx,
                entry.id,
                expect=("waiting",),
                status="offered",
                offered_slot_id=slot.id,
                offer_expires_at=expires,
            ):
                # Offered elsewhere meanwhile (another place freed at once): give the places
                # back and try the next person waiting.
                await store.release_places(tx, slot.id, entry.people)
                continue
            await notices.send(
                tx,
                entry.user_id,
                f"booking:offer:{entry.id}:{slot.id}",
                now,
                lambda e=entry, s=slot, p=session.point_name, x=expires: notices.offer(
                    e.id, s, p, x
                ),
            )
            made += 1
            slot = await store.slot(tx, slot.id) or slot
    return made


async def _offered_to(
    tx: AsyncConnection, entry_id: int, user_id: int, now: datetime
) -> store.WaitEntry | BookError:
    entry = await store.wait_entry(tx, entry_id)
    if entry is None or entry.user_id != user_id:
        return BookError.NOT_YOURS
    if entry.status != "offered" or entry.offered_slot_id is None:
        return BookError.NOT_ACTIVE
    if entry.offer_expires_at is None or entry.offer_expires_at <= now:
        await _pass_on(tx, entry, now, status="expired")
        return BookError.EXPIRED
    return entry


async def accept(
    tx: AsyncConnection, *, entry_id: int, user_id: int, now: datetime
) -> int | BookError:
    """Turn a held offer into a booking; returns the booking id."""
    entry = await _offered_to(tx, entry_id, user_id, now)
    if isinstance(entry, BookError):
        return entry
    assert entry.offered_slot_id is not None
    slot = await store.slot(tx, entry.offered_slot_id)
    assert slot is not None
    if await records.has_duplicate(
        tx, user_id=user_id, service=entry.service, person_ids=entry.persons
    ):
        await _pass_on(tx, entry, now, status="declined")
        return BookError.DUPLICATE
    await store.set_wait(tx, entry.id, expect=("offered",), status="accepted")
    return await records.create(
        tx,
        slot_id=slot.id,
        session_id=slot.session_id,
        user_id=user_id,
        service=entry.service,
        person_ids=entry.persons,
        people=entry.people,
        now=now,
    )


async def decline(
    tx: AsyncConnection, *, entry_id: int, user_id: int, now: datetime
) -> BookError | None:
    """Give the held place back; it goes to the next in line."""
    entry = await _offered_to(tx, entry_id, user_id, now)
    if isinstance(entry, BookError):
        return entry
    await _pass_on(tx, entry, now, status="declined")
    return None


async def _pass_on(
    tx: AsyncConnection, entry: store.WaitEntry, now: datetime, status: str
) -> None:
    if not await store.set_wait(tx, entry.id, expect=("offered",), status=status):
        return
    if entry.offered_slot_id is not None:
        await store.release_places(tx, entry.offered_slot_id, entry.people)
        await offer_freed(tx, entry.offered_slot_id, now)


async def expire_offers(tx: AsyncConnection, now: datetime) -> int:
    """Pass every offer whose time ran out to the next in line; returns how many expired."""
    expired = 0
    for entry in await store.due_offers(tx, now):
        await _pass_on(tx, entry, now, status="expired")
        await notices.send(
            tx, entry.user_id, f"booking:offer-expired:{entry.id}", now, notices.offer_expired
        )
        expired += 1
    if expired:
        logger.info("waitlist offers expired: %s", expired)
    return expired


async def my_waits(tx: AsyncConnection, user_id: int) -> list[store.WaitEntry]:
    """The user's places on waiting lists."""
    return await store.user_waits(tx, user_id)


async def leave(tx: AsyncConnection, *, entry_id: int, user_id: int, now: datetime) -> bool:
    """Take the user off a waiting list (giving back a held place)."""
    entry = await store.wait_entry(tx, entry_id)
    if entry is None or entry.user_id != user_id:
        return False
    if entry.status == "offered":
        await _pass_on(tx, entry, now, status="cancelled")
        return True
    return await store.set_wait(tx, entry.id, expect=("waiting",), status="cancelled")


async def drop_session(tx: AsyncConnection, session_id: int) -> None:
    """A cancelled session has no waiting list."""
    for entry in await store.session_waitlist(tx, session_id):
        await store.set_wait(tx, entry.id, expect=("waiting", "offered"), status="cancelled")
