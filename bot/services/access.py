"""Who may see which village: a village head their own, a team lead and an admin their commune.

An admin grant with no place (the province's) sees every village, session, point and notice.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.services.identity import Actor, Role
from bot.storage import places


def is_province_admin(actor: Actor) -> bool:
    """An admin whose grants cover every commune (made with `troly06 grant --province`)."""
    return actor.is_admin and actor.admin_communes() is None


def managed_communes(actor: Actor) -> frozenset[int] | None:
    """The communes whose sessions and points this actor manages; None for the whole province.

    A team lead manages their communes, a commune admin theirs; others none.
    """
    admin = actor.admin_communes() if actor.is_admin else frozenset()
    if admin is None:
        return None
    return actor.commune_ids(Role.TEAM_LEAD) | admin


async def visible_villages(tx: AsyncConnection, actor: Actor) -> frozenset[int]:
    """Ids of the villages whose people this actor may see (empty for plain residents)."""
    admin = actor.admin_communes() if actor.is_admin else frozenset()
    if admin is None:
        return frozenset(await places.village_ids(tx))
    in_communes = await places.village_ids(tx, actor.commune_ids(Role.TEAM_LEAD) | admin)
    return frozenset(in_communes | actor.village_ids(Role.VILLAGE_HEAD))


async def may_see_village(tx: AsyncConnection, actor: Actor, village_id: int) -> bool:
    return village_id in await visible_villages(tx, actor)
