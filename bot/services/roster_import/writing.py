"""Roster import: the whole import in the caller's transaction, written in batches."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core.i18n import gettext as _
from bot.services.roster_import.cells import check_rows
from bot.services.roster_import.matching import Matcher, PersonKey, unchanged
from bot.services.roster_import.model import ImportReport, Rejected, RosterRow, fast_fold
from bot.services.roster_import.places import Places
from bot.services.roster_import.reading import read_sheet
from bot.storage import roster as store

logger = logging.getLogger("bot.services.roster_import")


async def import_roster(
    tx: AsyncConnection,
    filename: str,
    data: bytes,
    now: datetime,
    *,
    dry_run: bool = False,
    create_places: bool = False,
    province: str = "",
) -> ImportReport:
    """Import a roster file in the caller's transaction; with `dry_run` nothing stays.

    Raises RosterFileError when the file is not a roster at all.
    """
    sheet = read_sheet(filename, data)
    good, rejected = check_rows(sheet, now.date())
    report = ImportReport(rows=len(good) + len(rejected), dry_run=dry_run)
    async with tx.begin_nested() as savepoint:
        places = Places(*await store.all_places(tx))
        placed, more = await _place(tx, places, good, create_places, province)
        rejected.extend(more)
        inserts, updates, matched, dupes, boats = await _match(tx, placed, now)
        rejected.extend(dupes)
        await _write(tx, inserts, updates, boats, now)
        report.imported, report.updated = len(inserts), matched
        report.created_villages = places.created
        report.unknown_places = places.unknown
        if dry_run:
            await savepoint.rollback()
    report.rejected = sorted(rejected, key=lambda r: r.line)
    logger.info(
        "roster import: rows=%s imported=%s updated=%s rejected=%s dry_run=%s",
        report.rows,
        report.imported,
        report.updated,
        len(report.rejected),
        dry_run,
    )
    return report


async def _place(
    tx: AsyncConnection, places: Places, rows: list[RosterRow], create: bool, province: str
) -> tuple[list[tuple[int, RosterRow]], list[Rejected]]:
    placed: list[tuple[int, RosterRow]] = []
    rejected: list[Rejected] = []
    cache: dict[tuple[str, str], int | str] = {}
    for row in rows:
        where = (row.commune, row.village)
        if where not in cache:
            cache[where] = await places.find(tx, row.commune, row.village, create, province)
        found = cache[where]
        if isinstance(found, str):
            rejected.append(Rejected(row.line, found))
        else:
            placed.append((found, row))
    return placed, rejected


async def _match(
    tx: AsyncConnection, placed: list[tuple[int, RosterRow]], now: datetime
) -> tuple[list[tuple[RosterRow, int]], list[dict[str, Any]], int, list[Rejected], dict[str, int]]:
    """Split the rows: new people (row, household id), the updates that change something,
    how many matched, the duplicates, and the boat ids.

    A later copy of a person already seen in the file is rejected as a duplicate.
    """
    matcher = Matcher(await store.people_in(tx, {village for village, _row in placed}))
    households = await store.household_ids(tx, {(v, r.household) for v, r in placed})
    boats = await store.boat_ids(tx, {r.boat: v for v, r in placed if r.boat})
    seen: dict[PersonKey | int, int] = {}
    inserts: list[tuple[RosterRow, int]] = []
    updates: list[dict[str, Any]] = []
    dupes: list[Rejected] = []
    matched = 0
    for village_id, row in placed:
        key: PersonKey = (village_id, row.household, fast_fold(row.full_name), row.birth_year)
        person = matcher.find(key)
        ident: PersonKey | int = person.person_id if person is not None else key
        if ident in seen:
            dupes.append(
                Rejected(row.line, _("duplicate of line {line}").format(line=seen[ident]))
            )
            continue
        seen[ident] = row.line
        household_id = households[(village_id, row.household)]
        if person is None:
            inserts.append((row, household_id))
            continue
        matched += 1
        values = _values(row, household_id, boats, now)
        if not unchanged(person, values):
            updates.append({**values, "person_id": person.person_id})
    return inserts, updates, matched, dupes, boats


def _values(
    row: RosterRow, household_id: int, boats: dict[str, int], now: datetime
) -> dict[str, Any]:
    return {
        "household_id": household_id,
        "full_name": row.full_name,
        "birth_date": row.birth_date,
        "birth_year": row.birth_year,
        "sex": row.sex,
        "phone": row.phone,
        "boat_id": boats.get(row.boat) if row.boat else None,
        "has_id_card": row.has_id_card,
        "has_eid_level2": row.has_eid_level2,
        "note": row.note,
        "updated_at": now,
    }


async def _write(
    tx: AsyncConnection,
    inserts: list[tuple[RosterRow, int]],
    updates: list[dict[str, Any]],
    boats: dict[str, int],
    now: datetime,
) -> None:
    """Insert and update in batches; the rows of a batch are built only when it is sent."""
    for start in range(0, len(inserts), store.BATCH):
        batch = inserts[start : start + store.BATCH]
        await store.insert_people(tx, [_values(row, h, boats, now) for row, h in batch])
    await store.update_people(tx, updates)
