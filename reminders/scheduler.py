"""One APScheduler per bot process, driven by the reminders table.

Why not one job per reminder: SQLAlchemyJobStore writes one pickled row per job, synchronously
(about 950 jobs/s on SQLite), so 100,000 reminders would take minutes to schedule and block
the event loop meanwhile. Here the table holds the reminders and a single date job ("next
due") is re-armed to the earliest one after every run, at least every `reminder_poll_s`.

Misfires: the jobs use `misfire_grace_time` = the reminder grace (12 h by default) and
`coalesce=True`, so after a restart a late job runs once; each reminder is then judged on its
own: sent if within the grace, marked missed otherwise. APScheduler's default grace of one
second would silently drop a run that was late because the bot was down.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from apscheduler.jobstores.base import BaseJobStore
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.engine import make_url

from bot.config import Settings
from bot.core.clock import Clock
from bot.core.i18n import LOCAL_TZ
from bot.services import reminders as service
from bot.services.reminders import Fired, Policy
from bot.storage.db import Database
from bot.storage.private_files import private_sqlite
from reminders import jobs

logger = logging.getLogger(__name__)

TICK_ID = "reminders:tick"
DIGEST_ID = "reminders:digest"
EXPIRE_ID = "booking:expire_offers"
BATCH = 500
CHASE = timedelta(seconds=2)  # a reminder due this soon is awaited in the same run
CHASE_LIMIT = timedelta(seconds=60)


def jobstore_url(settings: Settings) -> str:
    """The job store: the setting, else a SQLite file beside the database ("" = in memory)."""
    if settings.scheduler_db_url:
        return settings.scheduler_db_url
    url = make_url(settings.db_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return ""
    path = Path(url.database)
    return f"sqlite:///{path.with_name(path.stem + '-jobs.db')}"


def _store(url: str) -> BaseJobStore:
    if not url:
        logger.warning("reminder jobs kept in memory: the reminders table still drives them")
        return MemoryJobStore()
    private_sqlite(url)  # the jobs name people's reminders: 0600 like the database
    return SQLAlchemyJobStore(url=url)


class ReminderScheduler:
    """Starts, re-arms and stops the reminder jobs of one bot process."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        settings: Settings,
        *,
        name: str = "main",
        store_url: str | None = None,
        on_queued: Callable[[], None] | None = None,
    ) -> None:
        self.db = db
        self.on_queued = on_queued  # wakes the outbox sender when reminders were queued
        self.clock = clock
        self.settings = settings
        self.name = name
        self.policy = Policy.from_settings(settings)
        self.poll = timedelta(seconds=settings.reminder_poll_s)
        self.scheduler = AsyncIOScheduler(
            jobstores={
                "default": _store(jobstore_url(settings) if store_url is None else store_url)
            },
            job_defaults={
                "misfire_grace_time": settings.reminder_grace_s,
                "coalesce": True,
                "max_instances": 1,
            },
            timezone=LOCAL_TZ,
        )

    async def start(self, *, paused: bool = False) -> None:
        """Load the stored jobs (late ones run once, within the grace) and arm the next run."""
        jobs.register(self.name, self)
        self.scheduler.start(paused=paused)
        self._ensure(
            DIGEST_ID,
            jobs.digest,
            CronTrigger(
                hour=self.policy.remind_at.hour,
                minute=self.policy.remind_at.minute,
                timezone=LOCAL_TZ,
            ),
        )
        self._ensure(EXPIRE_ID, jobs.expire_offers, IntervalTrigger(minutes=1))
        await self._rearm_if_late()
        logger.info("reminder scheduler started: %s jobs", len(self.scheduler.get_jobs()))

    async def _rearm_if_late(self) -> None:
        """Keep the stored "next due" job unless the table has something due before it."""
        job = self.scheduler.get_job(TICK_ID)
        async with self.db.read() as tx:
            next_due = await service.next_due_at(tx)
        if job is None or job.next_run_time is None or (next_due and next_due < job.next_run_time):
            await self.rearm()

    def _ensure(self, job_id: str, func: object, trigger: object) -> None:
        """Add a periodic job unless the store already has it with the same trigger.

        Re-adding it on every start would reset its next run and lose a run missed while
        the bot was down.
        """
        existing = self.scheduler.get_job(job_id)
        if existing is not None and str(existing.trigger) == str(trigger):
            return
        self.scheduler.add_job(func, trigger, args=[self.name], id=job_id, replace_existing=True)

    async def stop(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        jobs.unregister(self.name)

    def jobs(self) -> dict[str, datetime | None]:
        """The stored jobs and their next run times."""
        return {job.id: job.next_run_time for job in self.scheduler.get_jobs()}

    async def rearm(self) -> datetime:
        """Point the "next due" job at the earliest scheduled reminder (or the next poll)."""
        now = self.clock.now()
        async with self.db.read() as tx:
            next_due = await service.next_due_at(tx)
        run_at = min(next_due, now + self.poll) if next_due else now + self.poll
        self.scheduler.add_job(
            jobs.tick,
            "date",
            run_date=max(run_at, now),
            args=[self.name],
            id=TICK_ID,
            replace_existing=True,
        )
        return run_at

    async def run_due(self) -> Fired:
        """Send everything due now, in transactions of at most BATCH reminders."""
        total = Fired()
        while True:
            async with self.db.write() as tx:
                fired = await service.run_due(tx, self.clock.now(), self.policy, BATCH)
            for status in ("sent", "missed", "cancelled", "skipped"):
                getattr(total, status).extend(getattr(fired, status))
            total.deferred += fired.deferred
            if fired.sent and self.on_queued is not None:
                self.on_queued()
            if fired.handled + fired.deferred < BATCH:
                return total

    async def tick(self) -> None:
        """Run due reminders, keep going while more fall due within seconds, then re-arm."""
        started = self.clock.now()
        try:
            while True:
                await self.run_due()
                async with self.db.read() as tx:
                    next_due = await service.next_due_at(tx)
                now = self.clock.now()
                if next_due is None or next_due - now > CHASE or now - started > CHASE_LIMIT:
                    break
                await asyncio.sleep(max((next_due - now).total_seconds(), 0.02))
        finally:
            await self.rearm()

    async def digest(self) -> None:
        async with self.db.write() as tx:
            await service.send_digests(tx, self.clock.now(), self.policy)

    async def expire_offers(self) -> None:
        from bot.services import booking  # imported late to keep start-up light

        async with self.db.write() as tx:
            await booking.expire_offers(tx, self.clock.now())
