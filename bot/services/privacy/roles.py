"""Taking roles back (Decree 13: access ends with the job): by the command line or an admin."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.services.identity import Actor
from bot.services.privacy.clean import one_line
from bot.storage import places
from bot.storage import privacy as store
from bot.storage.privacy import HeldRole

logger = logging.getLogger(__name__)


async def held(tx: AsyncConnection, actor: Actor) -> list[HeldRole]:
    """The roles an admin may take back; nothing for anyone else.

    A province admin: everyone's. A commune admin: the roles placed in their communes (their
    villages' heads, their team leads and admins), never a province-wide one.
    """
    if not actor.is_admin:
        return []
    found = await store.held_roles(tx)
    communes = actor.admin_communes()
    if communes is None:
        return found
    villages = await places.village_ids(tx, communes)
    return [h for h in found if h.commune_id in communes or h.village_id in villages]


async def in_scope(tx: AsyncConnection, actor: Actor, role_id: int) -> bool | None:
    """Whether the actor may take this role back; None if nobody holds it any more."""
    if not any(h.role_id == role_id for h in await store.held_roles(tx)):
        return None
    return any(h.role_id == role_id for h in await held(tx, actor))


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
