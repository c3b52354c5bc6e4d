"""SQL for booking: the waiting list of a session."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.tables.booking import (
    waitlist_entries,
)

# --- waitlist ---------------------------------------------------------------------------


@dataclass(frozen=True)
class WaitEntry:
    id: int
    session_id: int
    user_id: int
    service: str
    people: int
    person_ids: str
    status: str
    offered_slot_id: int | None
    offer_expires_at: datetime | None

    @property
    def persons(self) -> list[int]:
        return [int(p) for p in self.person_ids.split(",") if p.isdigit()]


_WAIT_COLS = (
    waitlist_entries.c.id,
    waitlist_entries.c.session_id,
    waitlist_entries.c.user_id,
    waitlist_entries.c.service,
    waitlist_entries.c.people,
    waitlist_entries.c.person_ids,
    waitlist_entries.c.status,
    waitlist_entries.c.offered_slot_id,
    waitlist_entries.c.offer_expires_at,
)


_INSERT_WAIT = insert(waitlist_entries)


async def insert_wait(tx: AsyncConnection, values: dict[str, Any]) -> int:
    result = await tx.execute(_INSERT_WAIT, values)
    return int(result.inserted_primary_key[0])  # type: ignore[index]


async def wait_entry(tx: AsyncConnection, entry_id: int) -> WaitEntry | None:
    row = (await tx.execute(select(*_WAIT_COLS).where(waitlist_entries.c.id == entry_id))).first()
    return WaitEntry(*row) if row else None


async def first_waiting(tx: AsyncConnection, session_id: int, max_people: int) -> WaitEntry | None:
    """The earliest waiting entry of the session that fits in `max_people` places."""
    row = (
        await tx.execute(
            select(*_WAIT_COLS)
            .where(
                waitlist_entries.c.session_id == session_id,
                waitlist_entries.c.status == "waiting",
                waitlist_entries.c.people <= max_people,
            )
            .order_by(waitlist_entries.c.id)
            .limit(1)
            # PostgreSQL: an entry another transaction is offering is passed over, not waited
            # for (SQLite has one writer and ignores this).
            .with_for_update(skip_locked=True)
        )
    ).first()
    return WaitEntry(*row) if row else None


async def set_wait(
    tx: AsyncConnection, entry_id: int, *, expect: Sequence[str], **values: Any
) -> bool:
    result = await tx.execute(
        update(waitlist_entries)
        .where(waitlist_entries.c.id == entry_id, waitlist_entries.c.status.in_(expect))
        .values(**values)
    )
    return result.rowcount == 1


# Built once: every booking started runs it first (building a select costs more than running it).
_DUE_OFFERS = (
    select(*_WAIT_COLS)
    .where(
        waitlist_entries.c.status == "offered",
        waitlist_entries.c.offer_expires_at
        <= bindparam("now", type_=waitlist_entries.c.offer_expires_at.type),
    )
    .order_by(waitlist_entries.c.offer_expires_at, waitlist_entries.c.id)
)


async def due_offers(tx: AsyncConnection, now: datetime) -> list[WaitEntry]:
    rows = await tx.execute(_DUE_OFFERS, {"now": now})
    return [WaitEntry(*row) for row in rows]


async def session_waitlist(tx: AsyncConnection, session_id: int) -> list[WaitEntry]:
    rows = await tx.execute(
        select(*_WAIT_COLS)
        .where(
            waitlist_entries.c.session_id == session_id,
            waitlist_entries.c.status.in_(("waiting", "offered")),
        )
        .order_by(waitlist_entries.c.id)
    )
    return [WaitEntry(*row) for row in rows]


async def user_waits(tx: AsyncConnection, user_id: int) -> list[WaitEntry]:
    """The user's places on waiting lists (waiting, or a place held for them)."""
    rows = await tx.execute(
        select(*_WAIT_COLS)
        .where(
            waitlist_entries.c.user_id == user_id,
            waitlist_entries.c.status.in_(("waiting", "offered")),
        )
        .order_by(waitlist_entries.c.id)
    )
    return [WaitEntry(*row) for row in rows]
