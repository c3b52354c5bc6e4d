"""A message's own statements, rendered once and run straight on SQLite's connection.

SQLAlchemy Core does a lot per call that these few statements do not need: the cache key and
lookup of the compiled form, the parameter dictionaries, the execution context, the result
object. On the updates bench that was about a fifth of the bot's CPU per message, for four
small statements by key. A `Prepared` statement is compiled once per dialect; when the
transaction is SQLite's write connection on the event loop (see bot/storage/sqlite_driver.py)
it runs on the sqlite3 connection itself, with the column types' own bind and result
processors (so the values stored and read are the same as through SQLAlchemy). Anywhere else
(PostgreSQL, a connection that may not be used from the loop) it is an ordinary
`tx.execute`, and an insert of a few rows is one multi-row INSERT (PostgreSQL runs each row of
an executemany as a statement of its own), rendered once per number of rows: SQLAlchemy does
not cache a multi-row VALUES, and compiled it afresh for every message's buttons. Errors are
SQLAlchemy's, as they would be through `tx.execute`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Executable, Insert, bindparam, exc
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.types import TypeEngine

from bot.storage import sqlite_driver
from bot.storage.sql import hot

Processor = Callable[[Any], Any] | None
# Rows up to which an insert is one multi-row statement (a reply's buttons, say). A bigger
# batch (a notice's buttons for every recipient) stays an executemany: one statement text
# whatever its size, and within the server's limit of 32,767 parameters a statement.
MULTI_ROW_INSERT = 32
Params = Mapping[str, Any]


@dataclass(frozen=True)
class Outcome:
    """What the callers of these statements read of a result: rows, or how many changed."""

    rows: list[tuple[Any, ...]] = field(default_factory=list)
    rowcount: int = -1

    def all(self) -> list[tuple[Any, ...]]:
        return self.rows

    def first(self) -> tuple[Any, ...] | None:
        return self.rows[0] if self.rows else None

    def __iter__(self) -> Any:
        return iter(self.rows)


@dataclass(frozen=True)
class _Rendered:
    sql: str
    names: tuple[str, ...]
    binds: tuple[Processor, ...]
    fixed: Mapping[str, Any]  # values written into the statement (a status, say)
    results: tuple[Processor, ...]


class Prepared:
    """One statement: SQLAlchemy's construct, and its SQLite text rendered on first use."""

    def __init__(self, statement: Executable, *, keys: Sequence[str] | None = None) -> None:
        self.statement = hot(statement)
        self.keys = list(keys) if keys is not None else None  # an insert's columns, in order
        self._rendered: _Rendered | None = None
        self._multi_row: dict[tuple[str, int], _Rendered] = {}  # by dialect and rows

    async def run(self, tx: AsyncConnection, params: Params) -> Outcome | Any:
        connection = _inline_sqlite(tx)
        if connection is None:
            return await tx.execute(self.statement, dict(params))
        rendered = self._render(tx.dialect)
        values = _values(rendered, params)
        try:
            cursor = connection.execute(rendered.sql, values)
            rows = cursor.fetchall() if cursor.description else []
        except sqlite3.Error as error:
            raise _wrapped(rendered.sql, values, error) from error
        return Outcome(_processed(rendered.results, rows), cursor.rowcount)

    async def run_many(self, tx: AsyncConnection, params: Sequence[Params]) -> None:
        connection = _inline_sqlite(tx)
        if connection is None:
            if isinstance(self.statement, Insert) and 1 < len(params) <= MULTI_ROW_INSERT:
                await self._insert_rows(tx, params)
            else:
                await tx.execute(self.statement, [dict(p) for p in params])
            return
        rendered = self._render(tx.dialect)
        memo: dict[tuple[int, Any], Any] = {}  # a batch repeats its values (the time, say)
        values = [_values(rendered, p, memo) for p in params]
        try:
            connection.executemany(rendered.sql, values)
        except sqlite3.Error as error:
            raise _wrapped(rendered.sql, values, error) from error

    def _render(self, dialect: Dialect) -> _Rendered:
        if self._rendered is None:
            self._rendered = _render(self.statement, dialect, self.keys)
        return self._rendered

    async def _insert_rows(self, tx: AsyncConnection, params: Sequence[Params]) -> None:
        """One multi-row INSERT: the server runs one statement, not one per row."""
        keys = list(self.keys or params[0])
        rendered = self._multi_row.get((tx.dialect.name, len(params)))
        if rendered is None:
            statement = _multi_row_insert(self.statement, keys, len(params))  # type: ignore[arg-type]
            rendered = _render(statement, tx.dialect, None)
            self._multi_row[(tx.dialect.name, len(params))] = rendered
        merged = {f"{key}_{n}": row[key] for n, row in enumerate(params) for key in keys}
        await tx.exec_driver_sql(rendered.sql, tuple(_values(rendered, merged)))


def _render(statement: Executable, dialect: Dialect, keys: list[str] | None) -> _Rendered:
    compiled = statement.compile(dialect=dialect, column_keys=keys)  # type: ignore[attr-defined]
    if compiled.literal_execute_params or compiled.post_compile_params:
        raise ValueError("a statement with an IN list cannot be prepared: its text varies")
    names = tuple(compiled.positiontup or ())
    binds = tuple(bind_processor(compiled.binds[name].type, dialect) for name in names)
    fixed = {
        name: compiled.binds[name].effective_value
        for name in names
        if not compiled.binds[name].required
    }
    columns = getattr(statement, "selected_columns", None) or []
    results = tuple(_result(c.type, dialect) for c in columns)
    return _Rendered(str(compiled), names, binds, fixed, results)


def _multi_row_insert(statement: Insert, keys: list[str], rows: int) -> Insert:
    """`statement` with `rows` rows of values, each value a parameter named `{key}_{row}`."""
    columns = statement.table.c  # type: ignore[attr-defined]
    return statement.values(
        [
            {key: bindparam(f"{key}_{n}", type_=columns[key].type) for key in keys}
            for n in range(rows)
        ]
    )


def bind_processor(type_: TypeEngine[Any], dialect: Dialect) -> Processor:
    """How the dialect stores a value of `type_` (None: as it is)."""
    return type_.dialect_impl(dialect).bind_processor(dialect)  # as the dialect stores it


def _result(type_: TypeEngine[Any], dialect: Dialect) -> Processor:
    return type_.dialect_impl(dialect).result_processor(dialect, None)


def _values(
    rendered: _Rendered, params: Params, memo: dict[tuple[int, Any], Any] | None = None
) -> list[Any]:
    values = []
    for at, (name, process) in enumerate(zip(rendered.names, rendered.binds, strict=True)):
        value = params[name] if name in params else rendered.fixed.get(name)
        if process is None:
            values.append(value)
        elif memo is None or not isinstance(value, str | int | datetime):
            values.append(process(value))
        else:
            key = (at, value)
            if key not in memo:
                memo[key] = process(value)
            values.append(memo[key])
    return values


def _processed(results: tuple[Processor, ...], rows: list[Any]) -> list[tuple[Any, ...]]:
    if not any(results):
        return [tuple(row) for row in rows]
    return [
        tuple(v if p is None else p(v) for p, v in zip(results, row, strict=True)) for row in rows
    ]


def _inline_sqlite(tx: AsyncConnection) -> sqlite3.Connection | None:
    """SQLite's connection when `tx` may use it right here on the event loop."""
    if tx.dialect.name != "sqlite":
        return None
    driver = tx.sync_connection.connection.driver_connection  # type: ignore[union-attr]
    if isinstance(driver, sqlite_driver.Connection) and driver.can_inline:
        return driver._conn
    return None


def _wrapped(sql: str, values: Any, error: sqlite3.Error) -> exc.DBAPIError:
    return exc.DBAPIError.instance(sql, values, error, sqlite3.Error)
