"""Who is still missing: people without a chip ID card or a level 2 account, and their marks.

Counted people are those present or away (moved and exempt people leave the denominator)
and old enough: the card is compulsory from 14 (Luật Căn cước 2023), so younger children
are neither listed nor counted; a person whose birth year is unknown is counted.
Every call checks the actor's scope again: a stale or forged request for a village the
actor does not cover raises NotAllowed.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core.i18n import to_local
from bot.core.text import fold
from bot.services import reminders
from bot.services.access import visible_villages
from bot.services.identity import Actor
from bot.storage import roster_marks as marks_store
from bot.storage import roster_queries as store
from bot.storage.roster_marks import MarkInfo, VillagePerson
from bot.storage.roster_queries import HouseholdRow, MissingPerson, PersonPlace, Rule, VillageInfo

logger = logging.getLogger(__name__)

MIN_AGE = 14
ELDERLY_AGE = 70
PAGE_HOUSEHOLDS = 6
MAX_AWAY = timedelta(days=366)
EXEMPT_REASONS = ("dead", "abroad", "prison", "army", "other")
SEARCH_LIMIT = 20
DETAIL_MAX = 200


class Filter(StrEnum):
    ALL = "all"
    NO_CARD = "no_card"
    NO_LEVEL2 = "no_level2"
    AT_SEA = "at_sea"
    OVER_70 = "over_70"


class Mark(StrEnum):
    PRESENT = "present"
    AWAY = "away"
    MOVED = "moved"
    EXEMPT = "exempt"


class NotAllowed(Exception):
    """The actor does not cover that village (or the person is not on file)."""


def born_by(today: date) -> int:
    """The latest birth year counted: people born later are too young for the card."""
    return today.year - MIN_AGE


def rule_for(kind: Filter, today: date) -> Rule:
    need = {Filter.NO_CARD: "card", Filter.NO_LEVEL2: "level2"}.get(kind, "any")
    return Rule(
        born_by=born_by(today),
        need=need,
        at_sea_on=today if kind is Filter.AT_SEA else None,
        born_before=today.year - ELDERLY_AGE if kind is Filter.OVER_70 else None,
    )


@dataclass(frozen=True)
class MissingHousehold:
    household: HouseholdRow
    people: list[MissingPerson]


@dataclass(frozen=True)
class MissingPage:
    village: VillageInfo
    kind: Filter
    page: int
    pages: int
    households_total: int
    people_total: int
    households: list[MissingHousehold]

    @property
    def people(self) -> list[MissingPerson]:
        return [p for h in self.households for p in h.people]


async def my_villages(tx: AsyncConnection, actor: Actor) -> list[VillageInfo]:
    """The villages the actor covers, by commune then name."""
    return await store.village_info(tx, await visible_villages(tx, actor))


async def check_village(tx: AsyncConnection, actor: Actor, village_id: int) -> VillageInfo:
    """The village, if the actor covers it; raises NotAllowed otherwise."""
    if village_id not in await visible_villages(tx, actor):
        logger.warning("village refused: user=%s village=%s", actor.user_id, village_id)
        raise NotAllowed(village_id)
    (info,) = await store.village_info(tx, [village_id])
    return info


async def missing_page(
    tx: AsyncConnection, actor: Actor, village_id: int, kind: Filter, page: int, today: date
) -> MissingPage:
    """One page of the village's missing list, households in roster order."""
    village = await check_village(tx, actor, village_id)
    rule = rule_for(kind, today)
    households_total, people_total = await store.count_missing(tx, village_id, rule)
    pages = max(1, math.ceil(households_total / PAGE_HOUSEHOLDS))
    page = min(max(1, page), pages)
    rows = await store.missing_households(
        tx, village_id, rule, PAGE_HOUSEHOLDS, (page - 1) * PAGE_HOUSEHOLDS
    )
    people = await store.missing_people(tx, [h.household_id for h in rows], rule)
    by_household: dict[int, list[MissingPerson]] = {h.household_id: [] for h in rows}
    for person in people:
        by_household[person.household_id].append(person)
    return MissingPage(
        village,
        kind,
        page,
        pages,
        households_total,
        people_total,
        [MissingHousehold(h, by_household[h.household_id]) for h in rows],
    )


async def person_for(tx: AsyncConnection, actor: Actor, person_id: int) -> PersonPlace:
    """The person, if they live in a village the actor covers; raises NotAllowed otherwise."""
    person = await store.person_place(tx, person_id)
    if person is None or person.village_id not in await visible_villages(tx, actor):
        logger.warning("person refused: user=%s person=%s", actor.user_id, person_id)
        raise NotAllowed(person_id)
    return person


async def mark(
    tx: AsyncConnection,
    actor: Actor,
    person_id: int,
    status: Mark,
    now: datetime,
    *,
    away_until: date | None = None,
    reason: str | None = None,
    detail: str | None = None,
) -> PersonPlace:
    """Mark a person present, away until a date, moved away, or exempt with a reason
    (`detail`: the reason typed out for "other"). Who set the mark and when is kept.

    Away goes through the reminders service, so the person is reminded on their return.
    """
    person = await person_for(tx, actor, person_id)
    today = local_today(now)
    if status is Mark.AWAY:
        if away_until is None or not today < away_until <= today + MAX_AWAY:
            raise ValueError("away needs a return date after today")
        await reminders.set_away(
            tx, user_id=actor.user_id, person_id=person_id, return_on=away_until, now=now
        )
    else:
        if status is Mark.EXEMPT and reason not in EXEMPT_REASONS:
            raise ValueError("unknown exempt reason")
        await store.set_status(
            tx,
            person_id,
            status=status.value,
            away_until=None,
            exempt_reason=reason if status is Mark.EXEMPT else None,
            now=now,
        )
    keep = detail[:DETAIL_MAX] if status is Mark.EXEMPT and reason == "other" and detail else None
    await marks_store.stamp(tx, person_id, actor.user_id, now, keep)
    logger.info("person marked: user=%s person=%s status=%s", actor.user_id, person_id, status)
    return person


async def mark_info(tx: AsyncConnection, actor: Actor, person_id: int) -> MarkInfo:
    """The person's current mark, who set it and when (NotAllowed outside the actor's scope)."""
    await person_for(tx, actor, person_id)
    info = await marks_store.mark_info(tx, person_id)
    if info is None:
        raise NotAllowed(person_id)
    return info


async def search(
    tx: AsyncConnection, actor: Actor, village_id: int, query: str
) -> list[VillagePerson]:
    """Everyone in the village whose name contains the words typed (with or without marks),
    or who lives in the household typed ("hộ 12", "H12"), whatever their status: moved
    and exempt people are found too, so their mark can be undone."""
    await check_village(tx, actor, village_id)
    people = await marks_store.village_people(tx, village_id)
    household = household_query(query)
    if household is not None:
        return [p for p in people if p.household_code.upper() in household][:SEARCH_LIMIT]
    words = fold(query).split()
    if not words:
        return []
    found = [p for p in people if all(w in fold(p.full_name).split() for w in words)]
    if not found:  # part of a word: "binh" finds "Bình", "ngu" does not have to
        found = [p for p in people if " ".join(words) in fold(p.full_name)]
    return found[:SEARCH_LIMIT]


def household_query(query: str) -> set[str] | None:
    """ "hộ 12" / "ho H12" / "H12" → the household codes it may mean, else None."""
    folded = fold(query).replace(" ", "")
    for prefix in ("hogiadinh", "ho", "h"):
        if folded.startswith(prefix) and folded[len(prefix) :].isdigit():
            number = folded[len(prefix) :]
            return {number, f"H{number}", f"H{int(number)}", str(int(number))}
    return None


def local_today(now: datetime) -> date:
    """Today's date in Vietnam."""
    return to_local(now).date()
