"""Reading and writing the wrong-try counters of one chat for one purpose."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.tables.throttle import throttles


@dataclass(frozen=True)
class Counter:
    failures: int
    window_start: datetime
    blocked_until: datetime | None


def _where(chat: str, purpose: str):  # type: ignore[no-untyped-def]
    return (throttles.c.chat == chat) & (throttles.c.purpose == purpose)


async def load(tx: AsyncConnection, chat: str, purpose: str) -> Counter | None:
    row = (
        await tx.execute(
            select(
                throttles.c.failures, throttles.c.window_start, throttles.c.blocked_until
            ).where(_where(chat, purpose))
        )
    ).first()
    return Counter(row[0], row[1], row[2]) if row else None


async def store(tx: AsyncConnection, chat: str, purpose: str, counter: Counter) -> None:
    values = {
        "failures": counter.failures,
        "window_start": counter.window_start,
        "blocked_until": counter.blocked_until,
    }
    done = await tx.execute(update(throttles).where(_where(chat, purpose)).values(**values))
    if done.rowcount == 0:
        await tx.execute(insert(throttles).values(chat=chat, purpose=purpose, **values))


async def clear(tx: AsyncConnection, chat: str, purpose: str) -> None:
    await tx.execute(delete(throttles).where(_where(chat, purpose)))
