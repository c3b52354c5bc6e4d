"""The functions APScheduler stores and calls: module-level, given only a scheduler's name.

A persistent job store pickles a reference to the callable and its arguments, so jobs name
the running `ReminderScheduler` instead of holding it; each running one registers here.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reminders.scheduler import ReminderScheduler

logger = logging.getLogger(__name__)

_running: dict[str, ReminderScheduler] = {}


def register(name: str, scheduler: ReminderScheduler) -> None:
    _running[name] = scheduler


def unregister(name: str) -> None:
    _running.pop(name, None)


def _find(name: str) -> ReminderScheduler | None:
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
