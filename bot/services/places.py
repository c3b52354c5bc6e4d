"""Communes and villages by name: finding the place someone typed, naming a role's place."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core.text import fold
from bot.storage import places
from bot.storage.places import Commune, Village

__all__ = ["Commune", "Place", "Village", "communes", "find_villages", "place_of", "villages"]

_VILLAGE_WORDS = ("thon ", "to dan pho ", "tdp ", "ap ", "ban ", "village ")


async def communes(tx: AsyncConnection) -> list[Commune]:
    return await places.all_communes(tx)


async def villages(tx: AsyncConnection, commune_ids: Iterable[int] | None = None) -> list[Village]:
    """Villages, of the given communes only when some are given."""
    found = await places.all_villages(tx)
    if commune_ids is None:
        return found
    wanted = set(commune_ids)
    return [v for v in found if v.commune_id in wanted]


def _bare(text: str) -> str:
    folded = fold(text)
    for word in _VILLAGE_WORDS:
        if folded.startswith(word):
            return folded[len(word) :]
    return folded


def match_villages(text: str, candidates: Iterable[Village]) -> list[Village]:
    """The villages a typed name means: the exact name (marks or not), else those containing it."""
    wanted = _bare(text)
    if not wanted:
        return []
    candidates = list(candidates)
    exact = [v for v in candidates if _bare(v.name) == wanted]
    return exact or [v for v in candidates if wanted in _bare(v.name)]


async def find_villages(
    tx: AsyncConnection, text: str, commune_ids: Iterable[int] | None = None
) -> list[Village]:
    return match_villages(text, await villages(tx, commune_ids))


@dataclass(frozen=True)
class Place:
    village: str | None
    commune: str | None


async def place_of(tx: AsyncConnection, village_id: int | None, commune_id: int | None) -> Place:
    """The names of a village and its commune (or of a commune alone)."""
    village = None
    if village_id is not None:
        found = next((v for v in await places.all_villages(tx) if v.id == village_id), None)
        if found is not None:
            village, commune_id = found.name, found.commune_id
    commune = None
    if commune_id is not None:
        commune = next((c.name for c in await places.all_communes(tx) if c.id == commune_id), None)
    return Place(village, commune)
