"""The sender workers' leases: one row per sending process, kept alive by a heartbeat.

Every worker sends; a worker whose heartbeat stopped (or whose process is gone, on this host)
is dead, and the rows it had claimed are taken back by the others.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.tables.delivery import outbox_leases


async def join(tx: AsyncConnection, name: str, owner: str, now: datetime) -> None:
    """Register this worker (`name` is its own lease row)."""
    await tx.execute(insert(outbox_leases).values(name=name, owner=owner, heartbeat_at=now))


async def renew(tx: AsyncConnection, name: str, owner: str, now: datetime) -> bool:
    """Refresh the heartbeat; False if others took this worker for dead and dropped it."""
    result = await tx.execute(
        update(outbox_leases)
        .where(outbox_leases.c.name == name, outbox_leases.c.owner == owner)
        .values(heartbeat_at=now)
    )
    return result.rowcount == 1


async def live_owners(
    tx: AsyncConnection, stale_before: datetime, is_dead: Callable[[str], bool]
) -> list[str]:
    """The workers alive now; the leases of dead ones are dropped."""
    rows = (
        await tx.execute(
            select(outbox_leases.c.name, outbox_leases.c.owner, outbox_leases.c.heartbeat_at)
        )
    ).all()
    dead = [row.name for row in rows if row.heartbeat_at < stale_before or is_dead(row.owner)]
    if dead:
        await tx.execute(delete(outbox_leases).where(outbox_leases.c.name.in_(dead)))
    return [row.owner for row in rows if row.name not in dead]


async def count_live(tx: AsyncConnection, stale_before: datetime) -> int:
    """How many workers have beaten lately (this one included)."""
    return int(
        await tx.scalar(select(func.count()).where(outbox_leases.c.heartbeat_at >= stale_before))
        or 0
    )


async def leave(tx: AsyncConnection, name: str, owner: str) -> None:
    await tx.execute(
        delete(outbox_leases).where(outbox_leases.c.name == name, outbox_leases.c.owner == owner)
    )
