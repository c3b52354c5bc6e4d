"""aiosqlite with one trip to its thread per statement (SQLite's hot path, as measured).

aiosqlite runs each step of a statement in its own thread round trip: make a cursor, execute,
fetch the rows, close. Each trip hands the GIL over twice and wakes the event loop once; on a
message's 8 statements that was about a tenth of the bot's CPU and most of the time the write
lock was held. Here a cursor is a plain object on the event loop's side, and `execute` runs
execute, fetch and close together in the thread, bringing back the rows, the description, the
row count and the last row id. SQLAlchemy's aiosqlite dialect takes it through `async_creator`.

A statement run with the execution option `sqlite_inline` runs on the event loop instead, with
no trip at all; the small statements of a message's own transaction (its identity, its
conversation, its choices, its inbox row), which touch a few rows by key, go further and skip
SQLAlchemy's execution too (bot/storage/prepared.py). COMMIT and ROLLBACK run on the loop
(WAL with synchronous=NORMAL: no fsync but at a checkpoint now and then), and so does BEGIN
(`begin_here`, called from the engine's begin event), which takes no lock, or, IMMEDIATE, takes
the write lock without waiting; when another process holds it, BEGIN IMMEDIATE waits for it in
the thread, as before. Every other statement (a handler's queries, reports, imports) still
runs in the thread, off the event loop.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import dialect as aiosqlite_dialect
from sqlalchemy.engine import URL

_Outcome = tuple[Any, list[Any], int, int | None]
BUSY_TIMEOUT_MS = 10_000  # how long a statement waits for another process's write lock


def _run(
    conn: sqlite3.Connection, sql: str, parameters: Any, many: bool
) -> _Outcome:  # pragma: no cover - runs in aiosqlite's thread, which coverage does not follow
    cursor = conn.cursor()
    try:
        if many:
            cursor.executemany(sql, parameters)
        elif parameters is None:
            cursor.execute(sql)
        else:
            cursor.execute(sql, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


def _begin_now(conn: sqlite3.Connection, sql: str) -> _Outcome | None:
    """BEGIN IMMEDIATE if the write lock is free this instant; None if another process holds it."""
    conn.execute("PRAGMA busy_timeout=0")
    try:
        return _run(conn, sql, None, False)
    except sqlite3.OperationalError as exc:
        if (getattr(exc, "sqlite_errorcode", 0) & 0xFF) == sqlite3.SQLITE_BUSY:
            return None
        raise
    finally:
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")


class Cursor:
    """A DB-API cursor whose results come back whole with the statement."""

    arraysize = 1

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self._rows: list[Any] = []
        self._at = 0

    async def __aenter__(self) -> Cursor:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def _call(self, sql: str, parameters: Any, many: bool) -> Cursor:
        conn = self._connection
        inline, conn.inline_next = conn.inline_next, False
        if inline and conn.can_inline:
            outcome = _run(conn._conn, sql, parameters, many)
        else:
            outcome = await conn._execute(_run, conn._conn, sql, parameters, many)
        self.description, self._rows, self.rowcount, self.lastrowid = outcome
        self._at = 0
        return self

    async def execute(self, sql: str, parameters: Any = None) -> Cursor:
        return await self._call(sql, parameters, False)

    async def executemany(self, sql: str, parameters: Iterable[Any]) -> Cursor:
        return await self._call(sql, list(parameters), True)

    async def fetchall(self) -> list[Any]:
        rows = self._rows[self._at :]
        self._at = len(self._rows)
        return rows

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        end = self._at + (size or self.arraysize)
        rows = self._rows[self._at : end]
        self._at += len(rows)
        return rows

    async def fetchone(self) -> Any:
        if self._at >= len(self._rows):
            return None
        self._at += 1
        return self._rows[self._at - 1]

    async def close(self) -> None:
        self._rows = []

    async def setinputsizes(self, *sizes: Any) -> None:
        return None

    async def nextset(self) -> None:
        return None


class Connection(aiosqlite.Connection):
    """aiosqlite's connection (its thread, commit, rollback), with the one-trip cursor."""

    can_inline = False  # only a connection that may be used from any thread
    inline_next = False  # set just before a statement that runs on the event loop

    def begin_here(self, sql: str) -> bool:
        """BEGIN on the event loop, without waiting; False if another process holds the lock."""
        if not self.can_inline:
            return False
        if sql == "BEGIN":  # takes no lock
            self._conn.execute(sql)
            return True
        return _begin_now(self._conn, sql) is not None

    async def commit(self) -> None:
        if self.can_inline:
            self._conn.commit()
        else:
            await super().commit()

    async def rollback(self) -> None:
        if self.can_inline:
            self._conn.rollback()
        else:
            await super().rollback()

    def cursor(self) -> Cursor:  # type: ignore[override]
        return Cursor(self)


def creator(url: URL) -> Callable[[], Connection]:
    """For `create_async_engine(async_creator=...)`: connects as the dialect would."""
    args, kwargs = aiosqlite_dialect().create_connect_args(url)
    database: Sequence[str] = args

    def connect() -> sqlite3.Connection:
        return sqlite3.connect(*database, **kwargs)

    def make() -> Connection:
        connection = Connection(connect, 64)
        connection.can_inline = kwargs.get("check_same_thread") is False
        connection._thread.daemon = True  # as SQLAlchemy does: never hold the interpreter
        return connection

    return make


def inline(conn: Any, cursor: Any, statement: Any, params: Any, context: Any, many: Any) -> None:
    """`before_cursor_execute`: a statement marked `sqlite_inline` runs on the event loop."""
    if context is not None and context.execution_options.get("sqlite_inline"):
        driver = conn.connection.driver_connection
        if isinstance(driver, Connection):
            driver.inline_next = True
