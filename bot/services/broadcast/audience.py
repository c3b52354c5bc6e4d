"""Who a notice reaches: audiences within the author's villages, and their preview."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.services.access import visible_villages
from bot.services.identity import Actor
from bot.storage import broadcast as store
from bot.storage import places

logger = logging.getLogger(__name__)


class AudienceKind(StrEnum):
    ALL = "all"  # everyone on the roster of the villages (not moved, not exempt)
    MISSING = "missing"  # still without an ID card or without level 2
    RETURNING = "returning"  # fishermen coming in between two dates


class Audience(BaseModel):
    """Who a broadcast is for; stored with it as JSON."""

    village_ids: list[int]
    kind: AudienceKind
    date_from: date | None = None
    date_to: date | None = None


class OutOfScope(PermissionError):
    """The audience names a village the author may not reach."""


@dataclass(frozen=True)
class Preview:
    people: int
    with_chat: int
    households_without_chat: int
    blocked: int = 0  # linked, but the chat refuses messages (blocked the bot, left)
    exempt: int = 0  # marked exempt: never sent a notice
    moved: int = 0  # marked moved away

    @property
    def without_chat(self) -> int:
        """People never linked to a chat (the blocked ones are counted apart)."""
        return self.people - self.with_chat - self.blocked


async def villages_for(tx: AsyncConnection, actor: Actor) -> list[places.Village]:
    """The villages this actor may send a notice to."""
    allowed = await visible_villages(tx, actor)
    return [v for v in await places.all_villages(tx) if v.id in allowed]


async def village_names(tx: AsyncConnection, village_ids: Sequence[int]) -> list[str]:
    names = await store.village_names(tx, village_ids)
    return [names[v] for v in village_ids if v in names]


async def check_scope(tx: AsyncConnection, actor: Actor, audience: Audience) -> None:
    allowed = await visible_villages(tx, actor)
    if not audience.village_ids or not set(audience.village_ids) <= allowed:
        raise OutOfScope(audience.village_ids)


async def audience_rows(
    tx: AsyncConnection, audience: Audience, today: date | None = None
) -> list[store.AudienceRow]:
    """The people of the audience; "still missing" follows /missing's rule (14 and over)."""
    from bot.services.missing import born_by

    return await store.audience(
        tx,
        village_ids=audience.village_ids,
        kind=audience.kind,
        date_from=audience.date_from,
        date_to=audience.date_to,
        born_by=born_by(today) if today is not None else None,
    )


async def preview(
    tx: AsyncConnection, actor: Actor, audience: Audience, today: date | None = None
) -> Preview:
    """How many people the audience holds, how many the chat can reach, and who is left out."""
    await check_scope(tx, actor, audience)
    rows = await audience_rows(tx, audience, today)
    with_chat = sum(1 for row in rows if row.has_chat)
    blocked = sum(1 for row in rows if row.identity_id is not None and not row.reachable)
    households = {row.household_id for row in rows if row.identity_id is None}
    left_out = await store.not_resident(tx, audience.village_ids)
    return Preview(
        len(rows),
        with_chat,
        len(households),
        blocked=blocked,
        exempt=left_out.get("exempt", 0),
        moved=left_out.get("moved", 0),
    )
