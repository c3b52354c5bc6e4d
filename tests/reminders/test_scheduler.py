"""APScheduler on its persistent job store: the jobs survive a restart and carry only names."""

from __future__ import annotations

from datetime import date

import pytest

from bot.app import App, build_app
from bot.config import Settings
from bot.core.clock import FixedClock
from bot.services import reminders
from reminders import ReminderScheduler, jobstore_url
from reminders.scheduler import DIGEST_ID, TICK_ID
from tests.reminders.conftest import count_outbox, local


@pytest.mark.engines("sqlite")  # on PostgreSQL the jobs live in memory; the table drives them
def test_job_store_is_a_file_beside_the_database(settings: Settings) -> None:
    assert jobstore_url(settings).endswith("test-jobs.db")
    assert jobstore_url(settings).startswith("sqlite:///")


@pytest.mark.engines("sqlite")
async def test_jobs_come_back_after_a_restart_and_the_tick_sends_once(
    app: App, clock: FixedClock, settings: Settings, chat
) -> None:
    actor = await chat.actor()
    async with app.db.write() as tx:
        await reminders.set_away(
            tx, user_id=actor.user_id, person_id=None, return_on=date(2026, 12, 1), now=clock.now()
        )  # today: due now
    first = ReminderScheduler(app.db, clock, settings)
    await first.start(paused=True)
    stored = first.jobs()
    assert set(stored) >= {TICK_ID, DIGEST_ID}
    assert stored[TICK_ID] == clock.now()
    job = first.scheduler.get_job(TICK_ID)
    assert job.args == ("main",) and job.coalesce is True
    assert job.misfire_grace_time == 12 * 3600
    await first.stop()
    await app.close()

    clock.set(local("2026-12-01 09:00"))  # two hours down
    restarted = await build_app(settings, clock)
    second = ReminderScheduler(restarted.db, clock, settings)
    try:
        await second.start(paused=True)
        assert second.jobs()[TICK_ID] == stored[TICK_ID]  # back from the store, not re-made
        await second.tick()
        await second.tick()
        assert await count_outbox(restarted) == 1
        assert second.jobs()[TICK_ID] == local("2026-12-01 09:01")  # nothing due: next poll
    finally:
        await second.stop()
        await restarted.close()
