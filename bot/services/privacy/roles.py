"""Taking roles back (Decree 13: access ends with the job): by the command line or an admin."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.services.identity import Actor
from bot.services.privacy.clean import one_line
from bot.storage import privacy as store
from bot.storage.privacy import HeldRole

logger = logging.getLogger(__name__)


async def held(tx: AsyncConnection, actor: Actor) -> list[HeldRole]:
    """The roles an admin may take back (everyone's); nothing for anyone else."""
    return await store.held_roles(tx) if actor.is_admin else []


async def revoke(
    tx: AsyncConnection, role_id: int, *, by: int | None, now: datetime, reason: str = ""
) -> HeldRole | None:
    """Take one role back; kept with who granted and who revoked it. None if already gone."""
    taken = await store.revoke_role(tx, role_id, by=by, now=now, reason=one_line(reason))
    if taken is not None:
        logger.info("role revoked: user=%s role=%s by=%s", taken.user_id, taken.role, by or "cli")
    return taken


async def revoke_user(
    tx: AsyncConnection,
    user_id: int,
    *,
    role: str | None,
    by: int | None,
    now: datetime,
    reason: str = "",
) -> list[HeldRole]:
    """Take back one role (or all) of a user; returns what was taken."""
    taken = []
    for grant in await store.held_roles(tx, user_id):
        if role is None or grant.role == role:
            done = await revoke(tx, grant.role_id, by=by, now=now, reason=reason)
            if done is not None:
                taken.append(done)
    return taken
