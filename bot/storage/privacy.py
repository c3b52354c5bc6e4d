"""The SQL of the privacy rules: open requests per user, forgetting, revoking, the audit trail."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.tables.booking import home_visits


async def open_visits_of_user(tx: AsyncConnection, user_id: int) -> int:
    """How many home-visit requests this chat user has that are not done yet."""
    return int(
        await tx.scalar(
            select(func.count())
            .select_from(home_visits)
            .where(
                home_visits.c.user_id == user_id, home_visits.c.status.in_(("open", "assigned"))
            )
        )
        or 0
    )
