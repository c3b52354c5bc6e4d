"""Small SQL helpers that differ between SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import Executable, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

_Statement = TypeVar("_Statement", bound=Executable)


def hot(statement: _Statement) -> _Statement:
    """A small statement of a message's own transaction: on SQLite it runs on the event loop.

    Only for statements that touch a few rows by key, run inside a write transaction (which
    already holds SQLite's write lock, so they never wait); see bot/storage/sqlite_driver.py.
    """
    return statement.execution_options(sqlite_inline=True)


async def upsert(
    tx: AsyncConnection,
    table: Table,
    values: Mapping[str, Any],
    keys: Sequence[str],
) -> None:
    """Insert a row, or update every non-key column of the row with the same keys."""
    dialect = postgresql if tx.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(table).values(**values)
    changes = {name: stmt.excluded[name] for name in values if name not in keys}
    await tx.execute(stmt.on_conflict_do_update(index_elements=list(keys), set_=changes))


async def insert_ignore(
    tx: AsyncConnection, table: Table, rows: Sequence[Mapping[str, Any]]
) -> int:
    """Insert rows, skipping those that clash with a unique key; returns how many went in."""
    if not rows:
        return 0
    if tx.dialect.name == "postgresql":
        # asyncpg reports no row count for a batch: count the rows that came back instead.
        key = next(iter(table.primary_key.columns))
        stmt = postgresql.insert(table).on_conflict_do_nothing().returning(key)
        return len((await tx.execute(stmt, list(rows))).all())
    result = await tx.execute(sqlite.insert(table).on_conflict_do_nothing(), list(rows))
    return max(result.rowcount, 0)
