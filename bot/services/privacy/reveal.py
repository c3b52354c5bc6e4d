"""A village head or team lead reveals one person's whole phone number to call them; logged.

Lists show phones masked; the staff member who must visit or call someone asks for that one
number ("Gọi"), only for people of the villages they cover, and each reveal is an audit event.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core.text import fold
from bot.services.access import visible_villages
from bot.services.identity import Actor
from bot.storage import audit as audit_store
from bot.storage import privacy as store
from bot.storage.privacy import PhoneOf

logger = logging.getLogger(__name__)
MAX_MATCHES = 10


async def reveal(
    tx: AsyncConnection, actor: Actor, person_id: int, now: datetime
) -> PhoneOf | None:
    """The person's phone if they live in a village the actor covers (logged); else None."""
    found = await store.phone_of(tx, person_id)
    if found is None or found.village_id not in await visible_villages(tx, actor):
        logger.warning("phone reveal refused: user=%s person=%s", actor.user_id, person_id)
        return None
    if found.phone:
        await audit_store.add_event(
            tx,
            at=now,
            actor_user_id=actor.user_id,
            action="reveal_phone",
            subject=f"person:{person_id}",
        )
        logger.info("phone revealed: user=%s person=%s", actor.user_id, person_id)
    return found


async def find(tx: AsyncConnection, actor: Actor, name: str) -> list[PhoneOf]:
    """People with a phone in the actor's villages whose name contains `name` (no marks)."""
    wanted = fold(name)
    if len(wanted) < 2:
        return []
    people = await store.people_with_phone(tx, await visible_villages(tx, actor))
    exact = [p for p in people if fold(p.full_name) == wanted]
    found = exact or [p for p in people if wanted in fold(p.full_name)]
    return found[: MAX_MATCHES + 1]
