"""Who may see which village: a village head their own, a team lead their commune, an admin all."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.services.identity import Actor, Role
from bot.storage import places


async def visible_villages(tx: AsyncConnection, actor: Actor) -> frozenset[int]:
    """Ids of the villages whose people this actor may see (empty for plain residents)."""
    if actor.is_admin:
        return frozenset(await places.village_ids(tx))
    in_communes = await places.village_ids(tx, actor.commune_ids(Role.TEAM_LEAD))
    return frozenset(in_communes | actor.village_ids(Role.VILLAGE_HEAD))


async def may_see_village(tx: AsyncConnection, actor: Actor, village_id: int) -> bool:
    return village_id in await visible_villages(tx, actor)
