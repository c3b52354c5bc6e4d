"""Wrong tries per chat and purpose: after `limit` failures in a window, the chat waits.

Generic: linking by phone and birth date uses it ("link"), so can /join codes ("join").
A chat is the channel and the chat id; nothing typed is stored, only the count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage import throttle as store

LIMIT = 5
BLOCK = timedelta(hours=1)


@dataclass(frozen=True)
class Policy:
    limit: int = LIMIT
    block: timedelta = BLOCK  # also the window in which failures are counted


def chat_key(channel: str, chat_id: str) -> str:
    return f"{channel}:{chat_id}"[:96]


async def blocked_until(
    tx: AsyncConnection, chat: str, purpose: str, now: datetime
) -> datetime | None:
    """When the chat may try again, if it is stopped now."""
    counter = await store.load(tx, chat, purpose)
    if counter and counter.blocked_until and counter.blocked_until > now:
        return counter.blocked_until
    return None


async def fail(
    tx: AsyncConnection, chat: str, purpose: str, now: datetime, policy: Policy = Policy()
) -> datetime | None:
    """Count one wrong try; returns when the chat may try again if this one stops it."""
    counter = await store.load(tx, chat, purpose)
    if counter is None or now - counter.window_start >= policy.block:
        counter = store.Counter(0, now, None)
    failures = counter.failures + 1
    until = now + policy.block if failures >= policy.limit else None
    if until is not None:
        await store.store(tx, chat, purpose, store.Counter(0, now, until))
        return until
    await store.store(tx, chat, purpose, store.Counter(failures, counter.window_start, None))
    return None


async def succeed(tx: AsyncConnection, chat: str, purpose: str) -> None:
    """A right answer forgets the wrong ones."""
    await store.clear(tx, chat, purpose)
