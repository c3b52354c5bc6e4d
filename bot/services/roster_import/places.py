"""Roster import: the communes and villages a file names, found (or created) by folded name."""

from __future__ import annotations

import logging

from rapidfuzz import fuzz, process
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core.i18n import gettext as _
from bot.core.text import fold
from bot.storage import roster as store

logger = logging.getLogger(__name__)

COMMUNE_PREFIXES = ("xa ", "phuong ", "dac khu ", "thi tran ")
VILLAGE_PREFIXES = ("thon ", "to dan pho ", "tdp ", "khu pho ")
SIMILAR = 60  # rapidfuzz WRatio from which a village on file is offered as the likely meaning


def place_key(name: str, prefixes: tuple[str, ...]) -> str:
    """ "Thôn Đầm Môn" and "dam mon" give the same key."""
    key = fold(name)
    for prefix in prefixes:
        if key.startswith(prefix):
            return key[len(prefix) :]
    return key


class Places:
    """The communes and villages on file, looked up by folded name; creates them if asked."""

    def __init__(self, communes: list[tuple[int, str]], villages: list[store.PlaceRow]) -> None:
        self.communes = {place_key(name, COMMUNE_PREFIXES): cid for cid, name in communes}
        self.villages = {
            (v.commune_id, place_key(v.village, VILLAGE_PREFIXES)): v.village_id for v in villages
        }
        self.by_name: dict[str, list[int]] = {}
        for v in villages:
            self.by_name.setdefault(place_key(v.village, VILLAGE_PREFIXES), []).append(
                v.village_id
            )
        self.names = {place_key(v.village, VILLAGE_PREFIXES): v.village for v in villages}
        self.created: list[str] = []
        self.unknown = 0
        self.new_names: dict[str, str] = {}  # unknown or created village → closest name on file

    def closest(self, name: str) -> str:
        """The village on file whose name is closest to `name` (a typo's likely meaning)."""
        if name not in self.new_names:
            found = process.extractOne(
                place_key(name, VILLAGE_PREFIXES),
                list(self.names),
                scorer=fuzz.WRatio,
                score_cutoff=SIMILAR,
            )
            self.new_names[name] = self.names[found[0]] if found else ""
        return self.new_names[name]

    def _unknown_village(self, village: str) -> str:
        self.unknown += 1
        closest = self.closest(village)
        if closest:
            return _("unknown village: {name} (closest on file: {closest})").format(
                name=village, closest=closest
            )
        return _("unknown village: {name}").format(name=village)

    async def find(
        self, tx: AsyncConnection, commune: str, village: str, create: bool, province: str
    ) -> int | str:
        """The village id, or why the row is rejected."""
        v_key = place_key(village, VILLAGE_PREFIXES)
        if not commune:
            ids = self.by_name.get(v_key, [])
            if len(ids) == 1:
                return ids[0]
            if ids:
                return _("village {name} is in several communes: fill in the commune").format(
                    name=village
                )
            if create and len(self.communes) == 1:
                return await self._create_village(tx, next(iter(self.communes.values())), village)
            return self._unknown_village(village)
        c_key = place_key(commune, COMMUNE_PREFIXES)
        commune_id = self.communes.get(c_key)
        if commune_id is None:
            if not create:
                self.unknown += 1
                return _("unknown commune: {name}").format(name=commune)
            commune_id = await store.create_commune(tx, commune, province)
            self.communes[c_key] = commune_id
        village_id = self.villages.get((commune_id, v_key))
        if village_id is not None:
            return village_id
        if not create:
            return self._unknown_village(village)
        return await self._create_village(tx, commune_id, village)

    async def _create_village(self, tx: AsyncConnection, commune_id: int, name: str) -> int:
        self.closest(name)
        village_id = await store.create_village(tx, commune_id, name)
        key = place_key(name, VILLAGE_PREFIXES)
        self.villages[(commune_id, key)] = village_id
        self.by_name.setdefault(key, []).append(village_id)
        self.created.append(name)
        logger.info("village created by import: id=%s", village_id)
        return village_id
