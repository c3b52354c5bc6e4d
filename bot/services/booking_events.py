"""Hook the booking service calls so reminders follow every booking change."""

import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

logger = logging.getLogger(__name__)


async def booking_changed(tx: AsyncConnection, booking_id: int, now: datetime) -> None:
    """Called by the booking service after every create/cancel/reschedule/check-in.

    Runs in the booking service's transaction; never opens its own.
    """
    logger.debug("booking %s changed", booking_id)
