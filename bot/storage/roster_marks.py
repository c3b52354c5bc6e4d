"""Roster marks: finding a village's people by name or household, and who marked them, when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.tables.core import chat_identities, households, persons


@dataclass(frozen=True, slots=True)
class VillagePerson:
    """One person of a village, whatever their status, with their current mark."""

    person_id: int
    full_name: str
    birth_year: int | None
    household_code: str
    status: str
    has_id_card: bool
    has_eid_level2: bool


@dataclass(frozen=True)
class MarkInfo:
    status: str
    away_until: date | None
    exempt_reason: str | None
    exempt_detail: str | None
    marked_by: str  # the display name of whoever set the mark ("" when unknown or imported)
    marked_at: datetime | None


async def village_people(tx: AsyncConnection, village_id: int) -> list[VillagePerson]:
    """Everyone on file in the village (present, away, moved or exempt), in roster order."""
    rows = await tx.execute(
        select(
            persons.c.id,
            persons.c.full_name,
            persons.c.birth_year,
            households.c.code,
            persons.c.status,
            persons.c.has_id_card,
            persons.c.has_eid_level2,
        )
        .join(households, households.c.id == persons.c.household_id)
        .where(households.c.village_id == village_id)
        .order_by(households.c.id, persons.c.id)
    )
    return [VillagePerson(*row) for row in rows]


async def mark_info(tx: AsyncConnection, person_id: int) -> MarkInfo | None:
    row = (
        await tx.execute(
            select(
                persons.c.status,
                persons.c.away_until,
                persons.c.exempt_reason,
                persons.c.exempt_detail,
                persons.c.marked_by,
                persons.c.marked_at,
            ).where(persons.c.id == person_id)
        )
    ).first()
    if row is None:
        return None
    name = ""
    if row.marked_by is not None:
        name = (
            await tx.scalar(
                select(chat_identities.c.display_name)
                .where(chat_identities.c.user_id == row.marked_by)
                .order_by(chat_identities.c.last_seen_at.desc())
                .limit(1)
            )
        ) or ""
        name = name or f"#{row.marked_by}"
    return MarkInfo(
        row.status, row.away_until, row.exempt_reason, row.exempt_detail, name, row.marked_at
    )


async def stamp(
    tx: AsyncConnection, person_id: int, user_id: int, now: datetime, detail: str | None
) -> None:
    """Record who set the person's mark and when (and the typed reason, for "other")."""
    await tx.execute(
        update(persons)
        .where(persons.c.id == person_id)
        .values(marked_by=user_id, marked_at=now, exempt_detail=detail)
    )
