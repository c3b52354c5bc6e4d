"""Roster import in short transactions, so a big file never holds the write lock for long.

The file is read and checked with no transaction, and matched against a read snapshot; then
the households and boats it needs are created in one short write, and the people written
in steps of `STEP_ROWS`, each its own transaction, so others' messages are handled between
them. Writing the same file again is harmless: people already written match and stay as they
are. So a step that fails (or a crash) leaves the caller able to run the import again to
finish it; the caller says the import is done only after the last step.

Imports in this process take turns from the snapshot to the last step. Not covered: an
import by another process (another worker, or `troly06 import-roster`) in the meantime
could add the same new people twice.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from weakref import WeakKeyDictionary

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.services.roster_import.model import Checked, ImportReport, Progress
from bot.services.roster_import.writing import READ_SHARE, Plan, log_report, person_values, plan
from bot.storage import roster as store
from bot.storage.db import Database

logger = logging.getLogger("bot.services.roster_import")
STEP_ROWS = 2_000  # people per write transaction: a few tens of milliseconds each
# This process's imports into one database are matched and written one after another (their
# files are read at once); a lock per database, as each belongs to one event loop.
_TURNS: WeakKeyDictionary[Database, asyncio.Lock] = WeakKeyDictionary()


async def preview(
    db: Database, checked: Checked, now: datetime, communes: frozenset[int] | None
) -> ImportReport:
    """What importing `checked` would do, from a read snapshot: nothing is written.

    Rows outside `communes` are refused (None: any commune).
    """
    async with db.read() as tx:
        planned = await plan(tx, checked, now, dry_run=True, communes=communes)
    log_report(planned.report)
    return planned.report


async def write(
    db: Database,
    checked: Checked,
    now: datetime,
    communes: frozenset[int] | None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import `checked` in short transactions; `report.interrupted` if a step failed.

    Rows outside `communes` are refused (None: any commune), as in `preview`.
    `report.written` counts the people written; the rest are written by running it again.
    """
    turn = _TURNS.setdefault(db, asyncio.Lock())
    async with turn:  # two files matched on one snapshot would add people twice
        async with db.read() as tx:
            planned = await plan(tx, checked, now, dry_run=True, communes=communes)
        report = planned.report
        report.dry_run = False
        try:
            async with db.write() as tx:
                households, boats = await _create_households_and_boats(tx, planned)
            _put_real_ids(planned, households, boats)
            await _write_people(db, planned, now, progress)
        except Exception:
            logger.exception("roster import stopped after %s people", report.written)
            report.interrupted = True
    log_report(report)
    return report


async def _create_households_and_boats(
    tx: AsyncConnection, planned: Plan
) -> tuple[dict[tuple[int, str], int], dict[str, int]]:
    """Create the households and boats the snapshot did not have; their ids."""
    households = await store.household_ids(tx, set(planned.new_households.values()))
    return households, await store.boat_ids(tx, planned.new_boats)


def _put_real_ids(
    planned: Plan, households: dict[tuple[int, str], int], boats: dict[str, int]
) -> None:
    """Put the real ids of the new households and boats where their stand-ins are."""
    real = {stand_in: households[key] for stand_in, key in planned.new_households.items()}
    real_boat = {planned.boats[name]: boats[name] for name in planned.new_boats}
    planned.boats.update(boats)
    planned.inserts = [(row, real.get(h, h), v) for row, h, v in planned.inserts]
    for values in planned.updates:
        values["household_id"] = real.get(values["household_id"], values["household_id"])
        if values["boat_id"] is not None:
            values["boat_id"] = real_boat.get(values["boat_id"], values["boat_id"])


async def _write_people(
    db: Database, planned: Plan, now: datetime, progress: Progress | None
) -> None:
    report, boats = planned.report, planned.boats
    total = max(1, len(planned.inserts) + len(planned.updates))
    for start in range(0, len(planned.inserts), STEP_ROWS):
        batch = planned.inserts[start : start + STEP_ROWS]
        async with db.write() as tx:
            # The village is given so SQLite's trigger need not look it up row by row.
            await store.insert_people(
                tx, [{**person_values(row, h, boats, now), "village_id": v} for row, h, v in batch]
            )
        report.written += len(batch)
        if progress:
            progress(READ_SHARE + (1 - READ_SHARE) * report.written / total)
    for start in range(0, len(planned.updates), STEP_ROWS):
        batch_updates = planned.updates[start : start + STEP_ROWS]
        async with db.write() as tx:
            await store.update_people(tx, batch_updates)
        report.written += len(batch_updates)
        if progress:
            progress(READ_SHARE + (1 - READ_SHARE) * report.written / total)
    if progress:
        progress(1.0)
