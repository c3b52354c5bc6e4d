"""Reminders queued by the scheduler wake the outbox sender at once (no idle poll to wait for),
and `troly06 run` wires the two together."""

from __future__ import annotations

from datetime import date

from bot.app import App
from bot.config import Settings
from bot.core.clock import FixedClock
from bot.runtime import Runtime, reminders_component
from bot.services import reminders
from bot.services.sender import Sender
from reminders import ReminderScheduler
from tests.driver import ChatDriver
from tests.reminders.conftest import count_outbox


async def test_queued_reminders_wake_the_sender(
    app: App, clock: FixedClock, settings: Settings, chat: ChatDriver
) -> None:
    woken: list[int] = []
    scheduler = ReminderScheduler(app.db, clock, settings, on_queued=lambda: woken.append(1))
    await scheduler.start(paused=True)
    try:
        await scheduler.run_due()
        assert woken == []  # nothing was due: no wake-up
        actor = await chat.actor()
        async with app.db.write() as tx:
            await reminders.set_away(
                tx,
                user_id=actor.user_id,
                person_id=None,
                return_on=date(2026, 12, 1),
                now=clock.now(),
            )  # today: due now
        await scheduler.run_due()
        assert await count_outbox(app) == 1 and woken == [1]
    finally:
        await scheduler.stop()


def test_the_running_bot_wires_the_scheduler_to_the_sender(app: App) -> None:
    sender = Sender(app.db, app.clock, app.settings)
    part = reminders_component(Runtime(app, sender))
    scheduler = part.component.inner  # type: ignore[attr-defined]  # under the leader lock
    assert scheduler.on_queued == sender.wake
