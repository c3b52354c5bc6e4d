"""Roster import: read, then place and match, then write in batches (in the caller's tx)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core.i18n import gettext as _
from bot.core.text import fold
from bot.services.roster_import.cells import DEFAULT_MAX_ROWS, check_rows
from bot.services.roster_import.matching import Matcher, PersonKey, unchanged
from bot.services.roster_import.model import (
    Checked,
    ImportReport,
    Progress,
    Rejected,
    RosterRow,
    UnknownPlace,
)
from bot.services.roster_import.places import Places
from bot.services.roster_import.reading import read_sheet
from bot.services.roster_import.scope import outside
from bot.storage import roster as store

logger = logging.getLogger("bot.services.roster_import")
READ_SHARE = 0.8  # of the progress: reading and checking; the rest is writing
NewPerson = tuple[RosterRow, int, int]  # the row, its household id, its village id


async def import_roster(
    tx: AsyncConnection,
    filename: str,
    data: bytes,
    now: datetime,
    *,
    dry_run: bool = False,
    create_places: bool = False,
    province: str = "",
    max_rows: int = DEFAULT_MAX_ROWS,
    progress: Progress | None = None,
) -> ImportReport:
    """Import a roster file in the caller's transaction; with `dry_run` nothing stays.

    The file is read and checked in a worker thread, so the event loop keeps serving
    others meanwhile; only the matching and writing use the transaction. `progress` gets
    the share done: reading is the first 80%, writing the rest.
    Raises RosterFileError when the file is not a roster at all, or is too large.
    """
    checked = await read_checked(filename, data, now.date(), max_rows, progress)
    async with tx.begin_nested() as savepoint:
        planned = await plan(
            tx, checked, now, create_places=create_places, province=province, dry_run=dry_run
        )
        if dry_run:
            await savepoint.rollback()
        else:
            await _write(tx, planned.inserts, planned.updates, planned.boats, now, progress)
    log_report(planned.report)
    return planned.report


async def read_checked(
    filename: str, data: bytes, today: date, max_rows: int, progress: Progress | None
) -> Checked:
    """Read and check the file in a worker thread (no database); progress up to 80%."""
    reading = (lambda share: progress(share * READ_SHARE)) if progress else None
    good, rejected = await asyncio.to_thread(prepare, filename, data, today, max_rows, reading)
    return Checked(good, rejected)


def prepare(
    filename: str, data: bytes, today: date, max_rows: int, progress: Progress | None
) -> tuple[list[RosterRow], list[Rejected]]:
    """Read and check the file (no database): run in a worker thread."""
    return check_rows(read_sheet(filename, data), today, max_rows=max_rows, progress=progress)


@dataclass
class Plan:
    """What an import will write, and its report.

    Planned with `dry_run`, nothing is created: households and boats not on file get
    negative stand-in ids, listed in `new_households` and `new_boats` (their village).
    """

    report: ImportReport
    inserts: list[NewPerson]
    updates: list[dict[str, Any]]
    boats: dict[str, int]
    new_households: dict[int, tuple[int, str]] = field(default_factory=dict)
    new_boats: dict[str, int | None] = field(default_factory=dict)


async def plan(
    tx: AsyncConnection,
    checked: Checked,
    now: datetime,
    *,
    create_places: bool = False,
    province: str = "",
    dry_run: bool = False,
    communes: frozenset[int] | None = None,
) -> Plan:
    """Place and match the checked rows against the people on file; write no person.

    With `communes`, the rows of villages in other communes are refused (an admin's scope).
    """
    report = ImportReport(rows=len(checked.good) + len(checked.rejected), dry_run=dry_run)
    report.warnings = [Rejected(row.line, text) for row in checked.good for text in row.warnings]
    on_file, villages = await store.all_places(tx)
    places = Places(on_file, villages)
    placed, rejected, counts = await _place(tx, places, checked.good, create_places, province)
    allowed = None
    if communes is not None:
        placed, refused = outside(placed, villages, communes)
        rejected.extend(refused)
        allowed = {v.village_id for v in villages if v.commune_id in communes}
    planned = await _match(tx, placed, now, report, create=not dry_run, allowed=allowed)
    rejected.extend(checked.rejected)
    report.imported, report.updated = len(planned.inserts), len(planned.updates)
    report.created_villages = places.created
    report.new_villages = [
        UnknownPlace(name, counts.get(name, 0), places.closest(name)) for name in places.created
    ]
    report.unknown = [
        UnknownPlace(name, count, places.closest(name))
        for name, count in counts.items()
        if name not in places.created
    ]
    report.unknown_places = places.unknown
    report.rejected = sorted([*rejected, *report.rejected], key=lambda r: r.line)
    return planned


def log_report(report: ImportReport) -> None:
    logger.info(
        "roster import: rows=%s imported=%s updated=%s rejected=%s dry_run=%s",
        report.rows,
        report.imported,
        report.updated,
        len(report.rejected),
        report.dry_run,
    )


async def _place(
    tx: AsyncConnection, places: Places, rows: list[RosterRow], create: bool, province: str
) -> tuple[list[tuple[int, RosterRow]], list[Rejected], dict[str, int]]:
    """The rows with their village id, the rows of unknown places, and how many rows each
    village not on file (created, or unknown) has."""
    placed: list[tuple[int, RosterRow]] = []
    rejected: list[Rejected] = []
    cache: dict[tuple[str, str], int | str] = {}
    new: dict[str, int] = {}
    known = set(places.villages.values())
    for row in rows:
        where = (row.commune, row.village)
        if where not in cache:
            cache[where] = await places.find(tx, row.commune, row.village, create, province)
        found = cache[where]
        if isinstance(found, str):
            rejected.append(Rejected(row.line, found))
            if row.village in places.new_names:
                new[row.village] = new.get(row.village, 0) + 1
        else:
            placed.append((found, row))
            if found not in known:
                new[row.village] = new.get(row.village, 0) + 1
    return placed, rejected, new


async def _match(
    tx: AsyncConnection,
    placed: list[tuple[int, RosterRow]],
    now: datetime,
    report: ImportReport,
    *,
    create: bool,
    allowed: set[int] | None = None,
) -> Plan:
    """Split the rows into new people and the updates that change something; the
    duplicates go to the report's rejected rows, the matched ones to its unchanged count.

    A later copy of a person already seen in the file is rejected as a duplicate. Without
    `create`, households and boats not on file get stand-in ids (see `Plan`). A row whose
    ID number is a person's outside the `allowed` villages is rejected (never moved in).
    """
    stored = await store.people_in(tx, {village for village, _row in placed})
    numbers = [r.id_number for _v, r in placed if r.id_number]
    if numbers:
        stored += await store.people_with_id_numbers(tx, numbers)
    wanted = {(v, r.household) for v, r in placed}
    households = await store.household_ids(tx, wanted, create=create)
    new_households = {-n: key for n, key in enumerate(sorted(wanted - households.keys()), 1)}
    households.update({key: stand_in for stand_in, key in new_households.items()})
    crew_villages: dict[str, set[int]] = {}
    for village, row in placed:
        if row.boat:
            crew_villages.setdefault(row.boat, set()).add(village)
    # A boat crewed from one village belongs to it; crewed from several, to none until an
    # admin chooses (troly06 boat-village): never to whichever village came last in the file.
    crews = {boat: min(vs) if len(vs) == 1 else None for boat, vs in crew_villages.items()}
    boats = await store.boat_ids(tx, crews, create=create)
    new_boats = {boat: crews[boat] for boat in sorted(crews.keys() - boats.keys())}
    boats.update({boat: -n for n, boat in enumerate(new_boats, 1)})
    # Pure Python over every row: in the worker thread too, so the loop stays free.
    inserts, updates, matched, dupes = await asyncio.to_thread(
        _pair, placed, stored, households, boats, now, allowed
    )
    report.unchanged = matched - len(updates)
    report.rejected.extend(dupes)
    return Plan(report, inserts, updates, boats, new_households, new_boats)


def _pair(
    placed: list[tuple[int, RosterRow]],
    stored: list[store.StoredPerson],
    households: dict[tuple[int, str], int],
    boats: dict[str, int],
    now: datetime,
    allowed: set[int] | None = None,
) -> tuple[list[NewPerson], list[dict[str, Any]], int, list[Rejected]]:
    """Each row paired with its stored person, or new, or a duplicate of an earlier row."""
    matcher = Matcher(stored)
    seen: dict[PersonKey | int | str, int] = {}
    inserts: list[NewPerson] = []  # row, household, village
    updates: list[dict[str, Any]] = []
    dupes: list[Rejected] = []
    matched = 0
    for village_id, row in placed:
        if row.id_number and row.id_number in seen:
            dupes.append(
                Rejected(
                    row.line,
                    _("the same ID number as line {line}").format(line=seen[row.id_number]),
                )
            )
            continue
        key: PersonKey = (village_id, row.household, fold(row.full_name), row.birth_year)
        person = matcher.find(key, row.id_number)
        if person is not None and allowed is not None and person.village_id not in allowed:
            dupes.append(
                Rejected(
                    row.line,
                    _("the ID number is of a person in another commune, outside yours"),
                )
            )
            continue
        ident: PersonKey | int | str = person.person_id if person is not None else key
        if row.id_number and (person is None or (person.id_number is None and ident in seen)):
            # Not on file, or the name's match was taken by an earlier row with another
            # ID number: the ID number tells this person apart.
            person, ident = None, row.id_number
        if ident in seen:
            dupes.append(
                Rejected(row.line, _("duplicate of line {line}").format(line=seen[ident]))
            )
            continue
        seen[ident] = row.line
        if row.id_number:
            seen[row.id_number] = row.line
        household_id = households[(village_id, row.household)]
        if person is None:
            inserts.append((row, household_id, village_id))
            continue
        matched += 1
        values = person_values(row, household_id, boats, now)
        if not unchanged(person, values):
            updates.append({**values, "person_id": person.person_id})
    return inserts, updates, matched, dupes


def person_values(
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
        "id_number": row.id_number,
        "updated_at": now,
    }


async def _write(
    tx: AsyncConnection,
    inserts: list[NewPerson],
    updates: list[dict[str, Any]],
    boats: dict[str, int],
    now: datetime,
    progress: Progress | None = None,
) -> None:
    """Insert and update in batches; the rows of a batch are built only when it is sent."""
    total = max(1, len(inserts) + len(updates))
    for start in range(0, len(inserts), store.BATCH):
        batch = inserts[start : start + store.BATCH]
        # The village is given so SQLite's trigger need not look it up row by row.
        await store.insert_people(
            tx, [{**person_values(row, h, boats, now), "village_id": v} for row, h, v in batch]
        )
        if progress:
            progress(READ_SHARE + (1 - READ_SHARE) * (start + len(batch)) / total)
    for start in range(0, len(updates), store.BATCH):
        await store.update_people(tx, updates[start : start + store.BATCH])
        if progress:
            done = len(inserts) + min(len(updates), start + store.BATCH)
            progress(READ_SHARE + (1 - READ_SHARE) * done / total)
    if progress:
        progress(1.0)
