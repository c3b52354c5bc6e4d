"""The database handle: engine set-up, transactions, migrations.

On SQLite: WAL, a busy timeout, and writes that begin with BEGIN IMMEDIATE behind one
in-process lock, so writers queue instead of failing with "database is locked".
Callers own the transaction; services and storage functions take the open connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, String, bindparam, event, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.sql.elements import ColumnElement

from bot.storage import sqlite_driver
from bot.storage.private_files import private_sqlite

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let us emit BEGIN ourselves (pysqlite's own transaction handling is off).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (
            "journal_mode=WAL",
            f"busy_timeout={sqlite_driver.BUSY_TIMEOUT_MS}",
            "foreign_keys=ON",
            "synchronous=NORMAL",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    event.listen(engine.sync_engine, "before_cursor_execute", sqlite_driver.inline)

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "")
        sql = f"BEGIN {mode}".strip()
        # On the event loop: a plain BEGIN takes no lock; IMMEDIATE is tried there without
        # waiting, and waits in the thread only when another process holds the lock.
        driver = conn.connection.driver_connection
        if not (isinstance(driver, sqlite_driver.Connection) and driver.begin_here(sql)):
            conn.exec_driver_sql(sql)


# Connections kept open: a webhook stores each update as it comes, up to Telegram's 40 at once,
# besides the messages being handled. With 8 kept (and 8 more opened and closed as needed) a
# worker on PostgreSQL opened 170 connections in a 2,000-update run, each a new server process
# and every statement prepared again. 16 + 4: four workers stay within PostgreSQL's default 100.
POOL_SIZE = 16


class Database:
    """One engine, with `write()` and `read()` transactions."""

    def __init__(self, url: str, *, pool_size: int = POOL_SIZE) -> None:
        parsed = make_url(url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        if self.is_sqlite:
            private_sqlite(url)  # personal data: 0600 in a 0700 folder
        # Every use ends its transaction explicitly, so the pool need not roll back on return.
        reset = None if self.is_sqlite else "rollback"
        extra: dict[str, Any] = {}
        if self.is_sqlite:
            extra["async_creator"] = sqlite_driver.creator(parsed)
        self.engine = create_async_engine(
            url, pool_size=pool_size, max_overflow=4, pool_reset_on_return=reset, **extra
        )
        if self.is_sqlite:
            _configure_sqlite(self.engine)
        self._write_lock = asyncio.Lock() if self.is_sqlite else None
        # SQLite's writes run one at a time: they share one connection, kept between them.
        self._writer: AsyncConnection | None = None

    @contextlib.asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncConnection]:
        """A transaction that may write; committed on success, rolled back on error.

        Never nest: open one write per unit of work and pass the connection down.
        """
        if self._write_lock is None:
            async with self.engine.connect() as conn, conn.begin():
                yield conn
            return
        async with self._write_lock:
            conn = self._writer
            if conn is None:
                conn = await self.engine.connect()
                await conn.execution_options(sqlite_begin="IMMEDIATE")
                self._writer = conn
            try:
                async with conn.begin():
                    yield conn
            except BaseException:
                # Rolled back; the connection is not trusted again (it may have been cut off
                # mid-statement): the next write takes a fresh one.
                self._writer = None
                with contextlib.suppress(Exception):
                    await conn.close()
                raise

    @contextlib.asynccontextmanager
    async def single(self) -> AsyncIterator[AsyncConnection]:
        """For one statement that writes: it commits by itself (PostgreSQL: a statement is
        atomic, so no BEGIN and COMMIT round trips); on SQLite a write transaction."""
        if self._write_lock is not None:
            async with self.write() as conn:
                yield conn
            return
        async with self.engine.connect() as conn:
            yield await conn.execution_options(isolation_level="AUTOCOMMIT")

    @contextlib.asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        """A read-only snapshot."""
        async with self.engine.connect() as conn, conn.begin():
            yield conn

    async def migrate(self) -> None:
        """Apply every migration not applied yet (all heads)."""
        async with self.write() as conn:
            await lock_for_transaction(conn, "migrations")  # workers starting together
            await conn.run_sync(_upgrade)

    async def close(self) -> None:
        if self._writer is not None:
            writer, self._writer = self._writer, None
            with contextlib.suppress(Exception):
                await writer.close()
        await self.engine.dispose()


async def lock_for_transaction(tx: AsyncConnection, key: str) -> None:
    """Hold a lock named `key` until this transaction ends, across processes.

    On PostgreSQL an advisory transaction lock (several workers share the database); on
    SQLite nothing: its write transactions already run one at a time.
    """
    if tx.dialect.name == "postgresql":
        await tx.execute(_ADVISORY_XACT_LOCK, {"key": key})


def advisory_key(param: str = "key") -> ColumnElement[int]:
    """The advisory lock key of the name bound as `param`: every lock by name is keyed so."""
    return func.hashtextextended(bindparam(param, type_=String), 0)


_ADVISORY_XACT_LOCK = select(func.pg_advisory_xact_lock(advisory_key()))


def _upgrade(sync_conn: Connection) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["connection"] = sync_conn
    command.upgrade(cfg, "heads")
