"""Hook the booking service calls so reminders follow every booking change."""

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.services.reminders import planning


async def booking_changed(tx: AsyncConnection, booking_id: int, now: datetime) -> None:
    """Called by the booking service after every create/cancel/reschedule/check-in.

    Runs in the booking service's transaction; never opens its own. Schedules, moves or
    cancels the booking's reminders, and stops the return-day follow-ups of whoever booked.
    """
    await planning.booking_changed(tx, booking_id, now)
