"""Roster import storage: places, households, boats and people, read and written in batches."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import asyncpg
from sqlalchemy import (
    Boolean,
    Date,
    Integer,
    String,
    Table,
    bindparam,
    case,
    delete,
    exc,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.prepared import bind_processor
from bot.storage.tables.core import boats, communes, households, persons, villages
from bot.storage.tables.roster import roster_uploads
from bot.storage.types import UtcDateTime

BATCH = 5_000  # rows per executemany: big enough to be fast, small enough to bound memory
STREAM_ROWS = 1_000  # rows per part of a long read, between which others get the event loop


@dataclass(frozen=True)
class PlaceRow:
    village_id: int
    village: str
    commune_id: int
    commune: str


@dataclass(frozen=True, slots=True)
class StoredPerson:
    person_id: int
    village_id: int
    household_code: str
    household_id: int
    full_name: str
    birth_date: date | None
    birth_year: int | None
    sex: str | None
    phone: str | None
    boat_id: int | None
    has_id_card: bool
    has_eid_level2: bool
    note: str
    id_number: str | None = None


def _chunks(rows: Sequence[Any], size: int = BATCH) -> Iterable[Sequence[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


async def all_places(tx: AsyncConnection) -> tuple[list[tuple[int, str]], list[PlaceRow]]:
    """Every commune (id, name), and every village with its commune."""
    found = await tx.execute(select(communes.c.id, communes.c.name))
    commune_rows = [(r.id, r.name) for r in found]
    village_rows = await tx.execute(
        select(villages.c.id, villages.c.name, communes.c.id, communes.c.name).join(
            communes, communes.c.id == villages.c.commune_id
        )
    )
    return commune_rows, [PlaceRow(*row) for row in village_rows]


async def create_commune(tx: AsyncConnection, name: str, province: str) -> int:
    result = await tx.execute(insert(communes).values(name=name, province=province))
    return int(result.inserted_primary_key[0])


async def set_target(tx: AsyncConnection, commune_id: int | None, per_mille: int) -> int:
    """Set the target of one commune (or of all when None); returns how many changed."""
    stmt = update(communes).values(target_share=per_mille)
    if commune_id is not None:
        stmt = stmt.where(communes.c.id == commune_id)
    return max((await tx.execute(stmt)).rowcount, 0)


async def create_village(tx: AsyncConnection, commune_id: int, name: str) -> int:
    result = await tx.execute(insert(villages).values(commune_id=commune_id, name=name))
    return int(result.inserted_primary_key[0])


_PERSON_COLUMNS = (
    persons.c.id,
    households.c.village_id,
    households.c.code,
    persons.c.household_id,
    persons.c.full_name,
    persons.c.birth_date,
    persons.c.birth_year,
    persons.c.sex,
    persons.c.phone,
    persons.c.boat_id,
    persons.c.has_id_card,
    persons.c.has_eid_level2,
    persons.c.note,
    persons.c.id_number,
)


async def people_in(tx: AsyncConnection, village_ids: Iterable[int]) -> list[StoredPerson]:
    """The people already on file in these villages, for matching a re-import."""
    ids = sorted(set(village_ids))
    if not ids:
        return []
    found: list[StoredPerson] = []
    # Streamed in parts: a province's people read in one go held the event loop for seconds.
    result = await tx.stream(
        select(*_PERSON_COLUMNS)
        .join(households, households.c.id == persons.c.household_id)
        .where(households.c.village_id.in_(ids))
    )
    async for part in result.partitions(STREAM_ROWS):
        found.extend(StoredPerson(*row) for row in part)
    return found


async def people_with_id_numbers(
    tx: AsyncConnection, numbers: Iterable[str]
) -> list[StoredPerson]:
    """The people on file holding these ID numbers, wherever they live."""
    found: list[StoredPerson] = []
    for chunk in _chunks(sorted(set(numbers)), 500):
        rows = await tx.execute(
            select(*_PERSON_COLUMNS)
            .join(households, households.c.id == persons.c.household_id)
            .where(persons.c.id_number.in_(chunk))
        )
        found.extend(StoredPerson(*row) for row in rows)
    return found


async def household_ids(
    tx: AsyncConnection, wanted: set[tuple[int, str]], *, create: bool = True
) -> dict[tuple[int, str], int]:
    """Ids of the (village id, code) households, creating those not on file (or leaving
    them out, without `create`)."""
    villages_wanted = sorted({village for village, _code in wanted})
    found: dict[tuple[int, str], int] = {}
    if villages_wanted:
        rows = await tx.execute(
            select(households.c.village_id, households.c.code, households.c.id).where(
                households.c.village_id.in_(villages_wanted)
            )
        )
        found = {(v, c): i for v, c, i in rows if (v, c) in wanted}
    missing = [{"village_id": v, "code": c} for v, c in sorted(wanted - found.keys())]
    if missing and create:
        add = insert(households).returning(
            households.c.village_id, households.c.code, households.c.id
        )
        for chunk in _chunks(missing):  # as a few multi-row INSERTs ("insertmanyvalues")
            found.update({(v, c): i for v, c, i in await tx.execute(add, list(chunk))})
    return found


async def boat_ids(
    tx: AsyncConnection, wanted: dict[str, int | None], *, create: bool = True
) -> dict[str, int]:
    """Ids of the boats by registration ({registration: village id}), creating new ones
    (or leaving them out, without `create`).

    An existing boat keeps its village; a new one gets the village given (None: not chosen).
    """
    if not wanted:
        return {}
    found: dict[str, int] = {}
    names = sorted(wanted)
    for chunk in _chunks(names, 500):
        rows = await tx.execute(
            select(boats.c.registration, boats.c.id).where(boats.c.registration.in_(chunk))
        )
        found.update({reg: boat_id for reg, boat_id in rows})
    new = [{"registration": r, "village_id": wanted[r]} for r in names if r not in found]
    if new and create:
        for chunk in _chunks(new):
            await tx.execute(insert(boats), list(chunk))
        return await boat_ids(tx, wanted)
    return found


async def insert_people(tx: AsyncConnection, rows: Sequence[dict[str, Any]]) -> None:
    """Insert new people (keys: household_id, full_name, birth_date, ... updated_at, and
    village_id: the household's village, or None to have it looked up)."""
    if not rows:
        return
    names = list(rows[0])
    for chunk in _chunks(rows):
        records = _records(tx, persons, names, chunk)
        if tx.dialect.name == "postgresql":
            await _copy(tx, persons, names, records)
        elif all(row.get("village_id") is not None for row in chunk):
            async with _without_trigger(tx, VILLAGE_TRIGGER):
                await tx.exec_driver_sql(_insert_text(persons, names), records)
        else:
            await tx.exec_driver_sql(_insert_text(persons, names), records)


# SQLite runs a trigger's program for every row even when its WHEN clause is false: about
# 10 µs a person, half of what the rest of an import's insert costs.
VILLAGE_TRIGGER = "tr_persons_village_insert"  # fills persons.village_id when not given


def _records(
    tx: AsyncConnection, table: Table, names: list[str], rows: Sequence[dict[str, Any]]
) -> list[tuple[Any, ...]]:
    """The rows as tuples of `names`, each value as the column's type binds it (a datetime
    in UTC, a date as SQLite's text): what SQLAlchemy would send, without its per-row work."""
    binds = [(name, bind_processor(table.c[name].type, tx.dialect)) for name in names]
    return [
        tuple(row[name] if bind is None else bind(row[name]) for name, bind in binds)
        for row in rows
    ]


def _insert_text(table: Table, names: list[str]) -> str:
    return f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"


async def _copy(
    tx: AsyncConnection, table: Table, names: list[str], records: list[tuple[Any, ...]]
) -> None:
    """Records into `table` by PostgreSQL's COPY, in `tx` (columns not named get their server
    defaults). A row inserted by COPY costs the server about half of one inserted by a
    statement (no statement per row), and the client less."""
    raw = await tx.get_raw_connection()
    try:
        await raw.driver_connection.copy_records_to_table(  # type: ignore[union-attr]
            table.name, records=records, columns=names
        )
    except asyncpg.PostgresError as error:  # raised as SQLAlchemy's, as a statement's are
        raise exc.DBAPIError(f"COPY {table.name}", None, error) from error


@contextlib.asynccontextmanager
async def _without_trigger(tx: AsyncConnection, name: str) -> AsyncIterator[None]:
    """SQLite: the trigger dropped, and made again as it was, within `tx` (SQLite's DDL is
    transactional, and `tx` holds the write lock: no other insert runs meanwhile; a rollback
    brings the trigger back too)."""
    sql = await tx.scalar(
        text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = :name"),
        {"name": name},
    )
    if sql is None:
        yield
        return
    await tx.exec_driver_sql(f"DROP TRIGGER {name}")
    yield
    await tx.exec_driver_sql(sql)


def _p(name: str, type_: Any = None) -> Any:
    """A bind parameter for the update; "u_" because SET names are taken by the columns."""
    return bindparam(f"u_{name}", type_=type_)


_UPDATE = (
    update(persons)
    .where(persons.c.id == _p("person_id"))
    .values(
        household_id=_p("household_id"),
        full_name=_p("full_name"),
        # A blank cell keeps what is stored; a "no" never undoes a recorded "yes".
        birth_date=func.coalesce(_p("birth_date", Date()), persons.c.birth_date),
        birth_year=func.coalesce(_p("birth_year", Integer()), persons.c.birth_year),
        sex=func.coalesce(_p("sex", String()), persons.c.sex),
        phone=func.coalesce(_p("phone", String()), persons.c.phone),
        boat_id=func.coalesce(_p("boat_id", Integer()), persons.c.boat_id),
        has_id_card=or_(persons.c.has_id_card, _p("has_id_card", Boolean())),
        has_eid_level2=or_(persons.c.has_eid_level2, _p("has_eid_level2", Boolean())),
        note=case((_p("note", String()) == "", persons.c.note), else_=_p("note", String())),
        id_number=func.coalesce(_p("id_number", String()), persons.c.id_number),
        updated_at=_p("updated_at", UtcDateTime()),
    )
)


async def update_people(tx: AsyncConnection, rows: Sequence[dict[str, Any]]) -> None:
    """Update matched people (keys as for insert, plus person_id)."""
    for chunk in _chunks(rows):
        await tx.execute(_UPDATE, [{f"u_{k}": v for k, v in row.items()} for row in chunk])


async def count_people(tx: AsyncConnection) -> int:
    return int(await tx.scalar(select(func.count()).select_from(persons)) or 0)


async def save_upload(
    tx: AsyncConnection, user_id: int, filename: str, data: bytes, now: datetime
) -> None:
    """Keep a roster file sent in the chat until its preview is confirmed (replaces any)."""
    await tx.execute(delete(roster_uploads).where(roster_uploads.c.user_id == user_id))
    await tx.execute(
        insert(roster_uploads).values(
            user_id=user_id, filename=filename[:200], data=data, created_at=now
        )
    )


async def load_upload(tx: AsyncConnection, user_id: int) -> tuple[str, bytes] | None:
    row = (
        await tx.execute(
            select(roster_uploads.c.filename, roster_uploads.c.data).where(
                roster_uploads.c.user_id == user_id
            )
        )
    ).first()
    return (row.filename, bytes(row.data)) if row else None


async def drop_upload(tx: AsyncConnection, user_id: int) -> None:
    await tx.execute(delete(roster_uploads).where(roster_uploads.c.user_id == user_id))
