"""The stored jobs find their scheduler by name: they run it when it runs, and do nothing (but
say so) when no scheduler of that name is running in this process."""

from __future__ import annotations

import logging
from datetime import date

import pytest

from bot.app import App
from bot.config import Settings
from bot.core.clock import FixedClock
from bot.services import reminders
from reminders import ReminderScheduler, jobs
from tests.driver import ChatDriver
from tests.reminders.conftest import count_outbox


async def test_a_job_runs_the_scheduler_it_names(
    app: App, clock: FixedClock, settings: Settings, chat: ChatDriver
) -> None:
    actor = await chat.actor()
    async with app.db.write() as tx:
        await reminders.set_away(
            tx, user_id=actor.user_id, person_id=None, return_on=date(2026, 12, 1), now=clock.now()
        )  # today: due now
    scheduler = ReminderScheduler(app.db, clock, settings, name="jobs-test")
    await scheduler.start(paused=True)
    try:
        await jobs.tick("jobs-test")
        assert await count_outbox(app) == 1
        await jobs.digest("jobs-test")  # no team lead, no boats: nothing more to say
        await jobs.expire_offers("jobs-test")
        assert await count_outbox(app) == 1
    finally:
        await scheduler.stop()


@pytest.mark.parametrize("job", [jobs.tick, jobs.digest, jobs.expire_offers])
async def test_a_job_whose_scheduler_is_gone_does_nothing(
    job: object, app: App, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="reminders.jobs"):
        await job("nobody")  # type: ignore[operator]
    assert "no running reminder scheduler named nobody" in caplog.text
    assert await count_outbox(app) == 0


async def test_a_stopped_scheduler_is_no_longer_found(
    app: App, clock: FixedClock, settings: Settings
) -> None:
    scheduler = ReminderScheduler(app.db, clock, settings, name="gone")
    await scheduler.start(paused=True)
    assert jobs._find("gone") is scheduler
    await scheduler.stop()
    assert jobs._find("gone") is None
