"""The functions APScheduler stores and calls: module-level, given only a scheduler's name.

A persistent job store pickles a reference to the callable and its arguments, so jobs name
the running `ReminderScheduler` instead of holding it; each running one registers here. This
module knows the scheduler only by the three runs it asks of it (it does not import it back).
"""

from __future__ import annotations

import logging
from typing import Protocol

logger = logging.getLogger(__name__)


class Runs(Protocol):
    """What a job asks of the running scheduler (reminders.scheduler.ReminderScheduler)."""

    async def tick(self) -> None: ...

    async def digest(self) -> None: ...

    async def expire_offers(self) -> None: ...


_running: dict[str, Runs] = {}


def register(name: str, scheduler: Runs) -> None:
    _running[name] = scheduler


def unregister(name: str) -> None:
    _running.pop(name, None)


def _find(name: str) -> Runs | None:
    scheduler = _running.get(name)
    if scheduler is None:
        logger.warning("no running reminder scheduler named %s", name)
    return scheduler


async def tick(name: str) -> None:
    """Send what fell due, then arm the next run."""
    scheduler = _find(name)
    if scheduler is not None:
        await scheduler.tick()


async def digest(name: str) -> None:
    """Queue the team leads' morning digest."""
    scheduler = _find(name)
    if scheduler is not None:
        await scheduler.digest()


async def expire_offers(name: str) -> None:
    """Let waitlist offers that were not taken in time go to the next person."""
    scheduler = _find(name)
    if scheduler is not None:
        await scheduler.expire_offers()
